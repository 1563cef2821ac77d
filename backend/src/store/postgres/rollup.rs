//! Rollups and exports on PostgreSQL: rollups are added in the writer's transaction with one
//! multi-row upsert per table; rebuilt and read for `rebuild-rollups` and tests.

use tokio_postgres::GenericClient;

use super::PgStore;
use crate::rollup::{Dimension, Fact, Measure, Rollups, MAX_VALUES_PER_DAY, OTHER};
use crate::store::Result;

/// Adds `r` to the rollup tables.
pub(super) async fn write_rollups(tx: &impl GenericClient, r: &Rollups) -> Result<(), tokio_postgres::Error> {
    if r.is_empty() {
        return Ok(());
    }
    let (mut s, mut h, mut m, mut n) = (vec![], vec![], vec![], vec![]);
    for ((site, hour, measure), count) in &r.hourly {
        s.push(site.as_str());
        h.push(*hour);
        m.push(measure.as_str());
        n.push(*count);
    }
    tx.execute(
        "INSERT INTO rollup_hourly (site, hour, measure, n) SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::int8[])
         ON CONFLICT (site, hour, measure) DO UPDATE SET n = rollup_hourly.n + EXCLUDED.n",
        &[&s, &h, &m, &n],
    )
    .await?;
    let (mut s, mut d, mut c, mut n) = (vec![], vec![], vec![], vec![]);
    for ((site, day, cat), count) in &r.category {
        s.push(site.as_str());
        d.push(*day);
        c.push(cat.as_str());
        n.push(*count);
    }
    tx.execute(
        "INSERT INTO rollup_daily_category (site, day, category, n) SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::int8[])
         ON CONFLICT (site, day, category) DO UPDATE SET n = rollup_daily_category.n + EXCLUDED.n",
        &[&s, &d, &c, &n],
    )
    .await?;
    let (mut s, mut d, mut k, mut v, mut m, mut n) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for ((site, day, dim, value, measure), count) in &r.dim {
        s.push(site.as_str());
        d.push(*day);
        k.push(dim.as_str());
        v.push(value.as_str());
        m.push(measure.as_str());
        n.push(*count);
    }
    // A value not yet seen that day goes under OTHER once the day has
    // MAX_VALUES_PER_DAY (checked against the rows before this statement).
    tx.execute(
        "WITH u AS (SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int8[]) AS u(site, day, dim, value, measure, n)),
         c AS (
           SELECT u.site, u.day, u.dim, u.measure, u.n,
                  CASE WHEN EXISTS (SELECT 1 FROM rollup_daily_dim r WHERE r.site = u.site AND r.day = u.day AND r.dim = u.dim AND r.value = u.value)
                         OR (SELECT COUNT(DISTINCT r.value) FROM rollup_daily_dim r WHERE r.site = u.site AND r.day = u.day AND r.dim = u.dim) < $7
                       THEN u.value ELSE $8 END AS value
           FROM u)
         INSERT INTO rollup_daily_dim (site, day, dim, value, measure, n)
         SELECT site, day, dim, value, measure, SUM(n)::int8 FROM c GROUP BY site, day, dim, value, measure
         ON CONFLICT (site, day, dim, value, measure) DO UPDATE SET n = rollup_daily_dim.n + EXCLUDED.n",
        &[&s, &d, &k, &v, &m, &n, &MAX_VALUES_PER_DAY, &OTHER],
    )
    .await?;
    Ok(())
}

impl PgStore {
    pub async fn hourly(&self, site: &str, from_hour: i64, to_hour: i64) -> Result<Vec<(i64, Measure, i64)>> {
        let rows = self.reader().await?.query("SELECT hour, measure, n FROM rollup_hourly WHERE site = $1 AND hour >= $2 AND hour < $3", &[&site, &from_hour, &to_hour]).await?;
        Ok(rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<Result<_, tokio_postgres::Error>>()?)
    }

    pub async fn category_totals(&self, site: &str, from_day: i64, to_day: i64) -> Result<Vec<(String, i64)>> {
        let rows =
            self.reader().await?.query("SELECT category, SUM(n)::int8 FROM rollup_daily_category WHERE site = $1 AND day >= $2 AND day < $3 GROUP BY category", &[&site, &from_day, &to_day]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Per value and measure, for the `limit` values with most impressions, then decisions.
    pub async fn dimension_totals(&self, site: &str, dim: Dimension, from_day: i64, to_day: i64, limit: usize) -> Result<Vec<(String, Measure, i64)>> {
        let rows = self
            .reader()
            .await?
            .query(
                "WITH top AS (
                   SELECT value FROM rollup_daily_dim WHERE site = $1 AND dim = $2 AND day >= $3 AND day < $4
                   GROUP BY value
                   ORDER BY SUM(CASE WHEN measure = 'impression' THEN n ELSE 0 END) DESC, SUM(CASE WHEN measure = 'decision' THEN n ELSE 0 END) DESC, value COLLATE \"C\"
                   LIMIT $5)
                 SELECT d.value, d.measure, SUM(d.n)::int8 FROM rollup_daily_dim d JOIN top ON top.value = d.value
                 WHERE d.site = $1 AND d.dim = $2 AND d.day >= $3 AND d.day < $4 GROUP BY d.value, d.measure",
                &[&site, &dim.as_str(), &from_day, &to_day, &(limit as i64)],
            )
            .await?;
        Ok(rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<Result<_, tokio_postgres::Error>>()?)
    }

    /// Recomputes every rollup from the raw events, in one transaction.
    pub async fn rebuild_rollups(&self) -> Result<()> {
        let mut client = self.reader().await?;
        let tx = client.transaction().await?;
        tx.batch_execute(
            "LOCK TABLE rollup_hourly, rollup_daily_category, rollup_daily_dim IN EXCLUSIVE MODE; DELETE FROM rollup_hourly; DELETE FROM rollup_daily_category; DELETE FROM rollup_daily_dim;",
        )
        .await?;
        let rows =
            tx.query("SELECT site, server_ts, action, categories, consented, lang, device, path, revision, COALESCE(banner, ''), COALESCE(region, ''), COALESCE(variant, '') FROM events", &[]).await?;
        let mut r = Rollups::default();
        for row in &rows {
            let t = |i| row.get::<_, &str>(i);
            r.add(&Fact {
                site: t(0),
                server_ts: row.get(1),
                action: t(2),
                categories: t(3),
                consented: row.get(4),
                lang: t(5),
                device: t(6),
                path: t(7),
                revision: t(8),
                banner: t(9),
                region: t(10),
                variant: t(11),
            });
        }
        write_rollups(&*tx, &r).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn read_rollups(&self) -> Result<Rollups> {
        let mut r = Rollups::default();
        let reader = self.reader().await?;
        for row in reader.query("SELECT site, hour, measure, n FROM rollup_hourly", &[]).await? {
            r.hourly.insert((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?), row.try_get(3)?);
        }
        for row in reader.query("SELECT site, day, category, n FROM rollup_daily_category", &[]).await? {
            r.category.insert((row.get(0), row.get(1), row.get(2)), row.get(3));
        }
        for row in reader.query("SELECT site, day, dim, value, measure, n FROM rollup_daily_dim", &[]).await? {
            r.dim.insert((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?), row.try_get(5)?);
        }
        Ok(r)
    }
}

/// Rollup names as stored: read back by name (an unknown one is an error, not another name).
macro_rules! pg_name {
    ($t:ty) => {
        impl<'a> tokio_postgres::types::FromSql<'a> for $t {
            fn from_sql(ty: &tokio_postgres::types::Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                Ok(<&str as tokio_postgres::types::FromSql>::from_sql(ty, raw)?.parse()?)
            }
            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::FromSql>::accepts(ty)
            }
        }
    };
}
pg_name!(Measure);
pg_name!(Dimension);
