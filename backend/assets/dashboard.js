// The consent dashboard's only script: sortable tables and the site picker's
// auto-submit. The page works without it.
"use strict";
document.querySelectorAll("select[data-autosubmit]").forEach((s) => s.addEventListener("change", () => s.form.submit()));
document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("th button[data-sort]").forEach((button, col) => {
    button.addEventListener("click", () => {
      const th = button.closest("th");
      const dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
      table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir);
      const numeric = button.dataset.sort === "num";
      const key = (row) => {
        const cell = row.cells[col];
        if (!numeric) return cell.textContent;
        return Number(cell.dataset.sortValue ?? cell.textContent);
      };
      const body = table.tBodies[0];
      const rows = [...body.rows].filter((r) => r.cells.length > 1);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const c = numeric ? x - y : String(x).localeCompare(String(y));
        return dir === "ascending" ? c : -c;
      });
      rows.forEach((r) => body.appendChild(r));
    });
  });
});
