// Parley's web chat widget: one script tag on any page.
//
//   <script src="https://parley.example/chat/widget.js" data-account="acme-site" async></script>
//
// Optional attributes: data-user-id, data-user-hash (hex HMAC-SHA256 of the user id with the
// account's identity_secret, computed by the site's server) and data-user-name, for a signed-in
// user; data-title for the panel's heading. Everything lives in a shadow root, so the page's
// styles and the widget's do not mix. Protocol: docs/channels/webchat.md.
(() => {
  'use strict';
  const script = document.currentScript || document.querySelector('script[src*="/chat/widget.js"]');
  if (!script || window.ParleyChat) return;
  const account = script.dataset.account;
  if (!account) {
    console.error('Parley chat: the script tag needs data-account');
    return;
  }
  const server = new URL(script.src, location.href);
  const socketUrl = new URL('/chat/ws', server);
  socketUrl.protocol = server.protocol === 'https:' ? 'wss:' : 'ws:';
  socketUrl.searchParams.set('account', account);
  if (script.dataset.userId) {
    socketUrl.searchParams.set('user_id', script.dataset.userId);
    socketUrl.searchParams.set('user_hash', script.dataset.userHash || '');
    if (script.dataset.userName) socketUrl.searchParams.set('name', script.dataset.userName);
  } else {
    const key = `parley.chat.${account}`;
    let token = localStorage.getItem(key);
    if (!token) {
      token = crypto.randomUUID();
      localStorage.setItem(key, token);
    }
    socketUrl.searchParams.set('visitor', token);
  }
  const openKey = `parley.chat.${account}.open`;

  const host = document.createElement('div');
  host.id = 'parley-chat';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `
<style>
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0;
    border-radius: 28px; padding: 14px 20px; background: #1f4fd1; color: #fff; font-size: 15px;
    font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
  .launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #f5b400; outline-offset: 2px; }
  .panel { position: fixed; right: 20px; bottom: 20px; z-index: 2147483001; width: 360px;
    max-width: calc(100vw - 24px); height: 520px; max-height: calc(100vh - 40px); display: flex;
    flex-direction: column; background: #fff; color: #1a1a1a; border-radius: 14px;
    box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; }
  .panel[hidden], .launcher[hidden] { display: none; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 14px 16px;
    background: #1f4fd1; color: #fff; }
  header h2 { margin: 0; font-size: 16px; }
  header .status { font-size: 12px; opacity: .9; }
  header button { background: transparent; color: #fff; border: 0; font-size: 22px; cursor: pointer; line-height: 1; }
  .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f4f6fa; }
  .message { max-width: 80%; padding: 8px 12px; border-radius: 14px; font-size: 14px; line-height: 1.4;
    white-space: pre-wrap; overflow-wrap: anywhere; }
  .message .meta { display: block; font-size: 11px; color: #555; margin-top: 4px; }
  .inbound { align-self: flex-end; background: #1f4fd1; color: #fff; border-bottom-right-radius: 4px; }
  .inbound .meta { color: #dfe6ff; }
  .outbound { align-self: flex-start; background: #fff; border: 1px solid #d5dbe8; border-bottom-left-radius: 4px; }
  .empty { color: #555; font-size: 14px; text-align: center; margin-top: 40px; }
  .typing { min-height: 20px; padding: 0 14px; font-size: 12px; color: #444; background: #f4f6fa; }
  .error { padding: 8px 14px; font-size: 13px; background: #fdecea; color: #8a1c12; }
  .error[hidden] { display: none; }
  form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #d5dbe8; background: #fff; }
  textarea { flex: 1; resize: none; height: 44px; padding: 10px; font-size: 14px; border: 1px solid #9aa5bd; border-radius: 8px; }
  form button { border: 0; border-radius: 8px; padding: 0 16px; background: #1f4fd1; color: #fff; font-weight: 600; cursor: pointer; }
  form button:disabled { background: #8b9bc9; cursor: default; }
</style>
<button class="launcher" type="button" aria-haspopup="dialog" aria-controls="parley-chat-panel">Chat with us</button>
<section class="panel" id="parley-chat-panel" role="dialog" aria-labelledby="parley-chat-title" hidden>
  <header>
    <div><h2 id="parley-chat-title"></h2><div class="status" aria-live="polite">Connecting…</div></div>
    <button type="button" class="close" aria-label="Close the chat">×</button>
  </header>
  <div class="log" role="log" aria-live="polite" aria-label="Conversation"></div>
  <div class="typing" aria-live="polite"></div>
  <div class="error" role="alert" hidden></div>
  <form>
    <textarea aria-label="Your message" placeholder="Write a message…" maxlength="4000"></textarea>
    <button type="submit">Send</button>
  </form>
</section>`;
  const $ = (selector) => root.querySelector(selector);
  const launcher = $('.launcher');
  const panel = $('.panel');
  const log = $('.log');
  const typing = $('.typing');
  const errorLine = $('.error');
  const status = $('.status');
  const input = $('textarea');
  const form = $('form');
  $('#parley-chat-title').textContent = script.dataset.title || 'Chat';

  let socket = null;
  let visitor = null;
  let brand = script.dataset.title || 'Support';
  let retry = 1000;
  let typingTimer = null;
  let lastTyping = 0;
  const shown = new Map();   // message id -> element
  const pending = new Map(); // client id -> text, until the server has stored it

  const time = (iso) => {
    const d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  };

  function render(message, state) {
    log.querySelector('.empty')?.remove();
    let element = shown.get(message.id);
    if (!element) {
      element = document.createElement('div');
      element.className = `message ${message.direction}`;
      element.dataset.id = message.id;
      element.append(document.createTextNode(message.text), document.createElement('span'));
      element.lastChild.className = 'meta';
      shown.set(message.id, element);
      log.append(element);
    }
    const who = message.direction === 'outbound' ? `${message.author || brand} · ` : '';
    element.lastChild.textContent = `${who}${time(message.at)}${state ? ` · ${state}` : ''}`;
    log.scrollTop = log.scrollHeight;
  }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = !text;
  }

  function sendPending(clientId) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: 'message', client_id: clientId, text: pending.get(clientId) }));
    }
  }

  function connect() {
    socket = new WebSocket(socketUrl);
    let welcomed = false;
    let refused = false;
    socket.addEventListener('message', (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      if (data.type === 'welcome') {
        welcomed = true;
        status.textContent = 'Online';
        retry = 1000;
        visitor = data.visitor;
        if (data.brand) brand = data.brand;
        if (!script.dataset.title && data.brand) $('#parley-chat-title').textContent = data.brand;
        log.replaceChildren();
        shown.clear();
        for (const message of data.history) render(message);
        for (const [clientId, text] of pending) {
          render({ id: `${visitor}/${clientId}`, direction: 'inbound', text }, 'sending…');
          sendPending(clientId);
        }
        if (!log.children.length) {
          log.innerHTML = '<p class="empty">Ask us anything: we usually answer within minutes.</p>';
        }
        showError('');
      } else if (data.type === 'ack') {
        const text = pending.get(data.client_id);
        pending.delete(data.client_id);
        if (text !== undefined) render({ id: `${visitor}/${data.client_id}`, direction: 'inbound', text }, 'sent');
      } else if (data.type === 'message') {
        if (data.message.direction === 'outbound') typing.textContent = '';
        render(data.message, data.message.direction === 'inbound' ? 'sent' : '');
      } else if (data.type === 'typing') {
        typing.textContent = `${data.author || brand} is typing…`;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typing.textContent = ''; }, 6000);
      } else if (data.type === 'error') {
        if (!welcomed) refused = true;
        showError(data.message);
      }
    });
    socket.addEventListener('close', () => {
      if (refused) {
        // The server refused who we are (a site's misconfiguration): trying again cannot help.
        status.textContent = 'Unavailable';
        input.disabled = true;
        form.querySelector('button').disabled = true;
        return;
      }
      status.textContent = 'Reconnecting…';
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    sessionStorage.setItem(openKey, '1');
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    sessionStorage.removeItem(openKey);
    launcher.focus();
  }
  launcher.addEventListener('click', open);
  $('.close').addEventListener('click', close);
  panel.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
  input.addEventListener('input', () => {
    const now = Date.now();
    if (now - lastTyping > 2000 && socket && socket.readyState === WebSocket.OPEN) {
      lastTyping = now;
      socket.send(JSON.stringify({ type: 'typing' }));
    }
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const clientId = crypto.randomUUID();
    pending.set(clientId, text);
    render({ id: `${visitor}/${clientId}`, direction: 'inbound', text }, 'sending…');
    input.value = '';
    sendPending(clientId);
  });

  document.body.append(host);
  connect();
  if (sessionStorage.getItem(openKey)) open();
  window.ParleyChat = { open, close };
})();
