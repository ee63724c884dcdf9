// Progressive enhancement of the BankID page: a fresh QR frame every second, status without reloads.
// Without this script the page refreshes itself (noscript meta refresh) and every action is a plain form.
(function () {
  'use strict';
  var root = document.getElementById('bankid-login');
  if (!root || root.dataset.state !== 'pending') return;
  var method = root.dataset.method;
  var interval = method === 'qr' ? 1000 : 2000;
  var maxPolls = 1200; // bounded: BankID orders end within minutes anyway
  var paused = false;
  var done = false;
  var message = document.getElementById('message');
  var qr = document.getElementById('qr');
  var qrImage = document.getElementById('qr-image');
  var pauseButton = document.getElementById('qr-pause');
  var pausedNote = document.getElementById('qr-paused');
  var moreTime = document.getElementById('more-time');
  var moreTimeNote = document.getElementById('more-time-on');

  if (pauseButton) {
    pauseButton.hidden = false;
    pauseButton.addEventListener('click', function () {
      paused = !paused;
      pauseButton.textContent = paused ? pauseButton.dataset.resume : pauseButton.dataset.pause;
      qr.hidden = paused;
      pausedNote.hidden = !paused;
    });
  }
  if (moreTime) {
    moreTime.checked = sessionStorage.getItem('brygga-more-time') === '1';
    moreTimeNote.hidden = !moreTime.checked;
    moreTime.addEventListener('change', function () {
      sessionStorage.setItem('brygga-more-time', moreTime.checked ? '1' : '0');
      moreTimeNote.hidden = !moreTime.checked;
    });
  }

  function show(status) {
    if (message.textContent !== status.message) message.textContent = status.message;
    if (qr) {
      var visible = Boolean(status.qrSvg);
      if (visible && !paused) {
        qrImage.innerHTML = status.qrSvg;
        qrImage.dataset.qr = status.qr;
      }
      qr.hidden = !visible || paused;
      var controls = document.querySelector('.qr-controls');
      if (controls) controls.hidden = !visible;
    }
  }

  function poll(count) {
    if (done || count > maxPolls) return;
    fetch(root.dataset.statusUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (status) {
        if (status.state === 'pending') {
          show(status);
          setTimeout(function () { poll(count + 1); }, interval);
          return;
        }
        done = true;
        // A new code when time ran out, for people who asked for more time.
        if (status.state === 'failed' && status.hintCode === 'startFailed' && moreTime && moreTime.checked) {
          var form = document.createElement('form');
          form.method = 'post';
          form.action = root.dataset.startUrl;
          [['csrf', root.dataset.csrf], ['method', method]].forEach(function (pair) {
            var input = document.createElement('input');
            input.type = 'hidden'; input.name = pair[0]; input.value = pair[1];
            form.appendChild(input);
          });
          document.body.appendChild(form);
          form.submit();
          return;
        }
        window.location.reload();
      })
      .catch(function () { setTimeout(function () { poll(count + 1); }, interval * 2); });
  }
  setTimeout(function () { poll(0); }, method === 'qr' ? 0 : interval);

  // Leaving a QR page tells the broker, which cancels the order unless a page polls again within a few seconds:
  // a reload, a language switch or back/forward comes straight back and keeps it, a closed tab does not.
  // (Same-device pages are left on purpose when the app opens, so they send nothing.)
  if (method === 'qr') {
    window.addEventListener('pagehide', function (event) {
      if (done || event.persisted) return;
      var body = new URLSearchParams({ csrf: root.dataset.csrf });
      navigator.sendBeacon(root.dataset.cancelUrl, body);
    });
  }
})();
