// Progressive enhancement of the BankID page: the status pushed over a stream (a WebSocket, else Server-Sent Events)
// or, where that is missing or keeps failing, polled; each QR frame drawn here from its string, the first one from the page's at once.
// Without this script the page refreshes itself (noscript meta refresh, the QR an image the server draws) and every
// action is a plain form.
import { qrSvg } from './qr.js';

const root = document.getElementById('bankid-login');
if (root && root.dataset.state === 'pending') enhance(root);

function enhance(root) {
  const method = root.dataset.method;
  const interval = method === 'qr' ? 1000 : 2000;
  const maxPolls = 1200; // bounded: BankID orders end within minutes anyway
  let paused = false;
  let done = false;
  let stream;
  const message = document.getElementById('message');
  const qr = document.getElementById('qr');
  const qrImage = document.getElementById('qr-image');
  const pauseButton = document.getElementById('qr-pause');
  const pausedNote = document.getElementById('qr-paused');
  const moreTime = document.getElementById('more-time');
  const moreTimeNote = document.getElementById('more-time-on');

  if (pauseButton) {
    pauseButton.hidden = false;
    pauseButton.addEventListener('click', () => {
      paused = !paused;
      pauseButton.textContent = paused ? pauseButton.dataset.resume : pauseButton.dataset.pause;
      qr.hidden = paused;
      pausedNote.hidden = !paused;
    });
  }
  if (moreTime) {
    moreTime.checked = sessionStorage.getItem('brygga-more-time') === '1';
    moreTimeNote.hidden = !moreTime.checked;
    moreTime.addEventListener('change', () => {
      sessionStorage.setItem('brygga-more-time', moreTime.checked ? '1' : '0');
      moreTimeNote.hidden = !moreTime.checked;
    });
  }

  // The page carries the first frame's string, not its image: drawn now, before the stream or a poll says anything.
  if (qrImage && qrImage.dataset.qr) qrImage.innerHTML = qrSvg(qrImage.dataset.qr);

  function show(status) {
    if (message.textContent !== status.message) message.textContent = status.message;
    if (!qr) return;
    const visible = Boolean(status.qr);
    if (visible && !paused && qrImage.dataset.qr !== status.qr) {
      qrImage.innerHTML = qrSvg(status.qr);
      qrImage.dataset.qr = status.qr;
    }
    qr.hidden = !visible || paused;
    const controls = document.querySelector('.qr-controls');
    if (controls) controls.hidden = !visible;
  }

  /** One status, from the stream or a poll: `{ state, hintCode?, errorCode?, message, qr? }`. */
  function handle(status) {
    if (done) return;
    if (status.state === 'pending') {
      show(status);
      return;
    }
    done = true;
    if (stream) stream.close(); // the server ends the stream after the last state; no reconnect
    // A new code when time ran out, for people who asked for more time.
    if (status.state === 'failed' && status.hintCode === 'startFailed' && moreTime && moreTime.checked) {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = root.dataset.startUrl;
      for (const [name, value] of [['csrf', root.dataset.csrf], ['method', method]]) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
      return;
    }
    window.location.reload(); // the server shows the outcome: the login goes on, or the failure with a retry
  }

  /** A stream's message: the status as JSON (anything else is ignored). */
  function handleMessage(event) {
    let status;
    try { status = JSON.parse(event.data); } catch { return; }
    handle(status);
  }

  function poll(count) {
    if (done || count > maxPolls) return;
    fetch(root.dataset.statusUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((status) => {
        handle(status);
        setTimeout(() => poll(count + 1), interval);
      })
      .catch(() => setTimeout(() => poll(count + 1), interval * 2));
  }

  // The stream: a message at once, a fresh frame every second, each state change as it happens. A stream refused
  // (404, 503: the browser gives up by itself) or one that fails before any message, on the first connection or
  // on a reconnect, is not coming back soon: poll instead.
  function listen() {
    let heard = false;
    stream = new EventSource(root.dataset.eventsUrl);
    stream.addEventListener('message', (event) => {
      heard = true;
      handleMessage(event);
    });
    stream.addEventListener('error', () => {
      if (done) return;
      if (heard && stream.readyState === EventSource.CONNECTING) {
        heard = false; // the browser reconnects; that connection too must deliver before it fails
        return;
      }
      stream.close();
      stream = undefined;
      poll(0);
    });
  }

  // First choice, a WebSocket: the broker holds least for a page waiting on one. One that closes before its first
  // message (a proxy without WebSockets, a refusal) is not tried again: the event stream is. One that worked and then
  // broke (a replica stopping) is opened again after a moment, as an event stream would be.
  function openSocket() {
    let heard = false;
    const url = new URL(root.dataset.eventsUrl, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    stream = socket;
    socket.addEventListener('message', (event) => {
      heard = true;
      handleMessage(event);
    });
    socket.addEventListener('close', () => {
      if (done || stream !== socket) return;
      stream = undefined;
      if (heard) setTimeout(openSocket, 3000);
      else if (typeof EventSource === 'function') listen();
      else poll(0);
    });
  }

  // The person acted (cancel, another start method): the form's answer decides what comes next. A state pushed
  // meanwhile (the cancel itself ends the order) must not reload the page over that navigation.
  document.addEventListener('submit', () => {
    done = true;
    if (stream) stream.close();
  });

  if (typeof WebSocket === 'function' && root.dataset.eventsUrl) openSocket();
  else if (typeof EventSource === 'function' && root.dataset.eventsUrl) listen();
  else setTimeout(() => poll(0), method === 'qr' ? 0 : interval);

  // Leaving a QR page tells the broker, which cancels the order unless a page polls again within a few seconds:
  // a reload, a language switch or back/forward comes straight back and keeps it, a closed tab does not.
  // (Same-device pages are left on purpose when the app opens, so they send nothing.) The beacon names this page:
  // processed late, after the reloaded page was rendered, it no longer counts.
  if (method === 'qr') {
    window.addEventListener('pagehide', (event) => {
      if (done || event.persisted) return;
      navigator.sendBeacon(root.dataset.cancelUrl, new URLSearchParams({ csrf: root.dataset.csrf, page: root.dataset.page }));
    });
  }
}
