// Refresh the order lists every two seconds (for at most half an hour) while nobody is using a form.
(function () {
  var left = 900;
  var timer = setInterval(function () {
    if (--left <= 0) return clearInterval(timer);
    var active = document.activeElement;
    if ((active && active !== document.body) || document.getElementById('qr').value) return;
    if (document.querySelector('details[open]')) return;
    fetch(location.href, { headers: { accept: 'text/html' } }).then(function (r) { return r.ok ? r.text() : ''; }).then(function (html) {
      if (!html) return;
      var next = new DOMParser().parseFromString(html, 'text/html');
      ['pending', 'finished'].forEach(function (id) {
        var now = document.getElementById(id), fresh = next.getElementById(id);
        if (now && fresh) now.innerHTML = fresh.innerHTML;
      });
    }).catch(function () {});
  }, 2000);
})();
