// Example analytics tag: it may only run once the visitor accepted "analytics".
(function () {
  window.analyticsStarted = (window.analyticsStarted || 0) + 1;
  document.cookie = '_lx_visit=1; Path=/; Max-Age=3600; SameSite=Lax';
  var el = document.getElementById('analytics-status');
  if (el) el.textContent = 'Bezoekstatistieken: actief (toestemming gegeven).';
})();
