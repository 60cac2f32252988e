'use strict';
// The admin page. Everything shown comes from the JSON API with the bearer token, and is put in
// the page as text (textContent), never as HTML: a payload holding markup stays inert.
(function () {
  const TOKEN_KEY = 'queuekit.token';
  let token = null;
  let dead = { queue: null, offset: 0, limit: 20, total: 0 };

  function readToken() {
    const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (m) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
      history.replaceState(null, '', window.location.pathname); // out of the address bar and history
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function status(text, isError) {
    const s = document.getElementById('status');
    s.textContent = text;
    s.className = isError ? 'error' : '';
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method: method,
      headers: Object.assign({ 'Authorization': 'Bearer ' + token },
        body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store'
    });
    const data = await res.json().catch(() => ({}));
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin();
      throw new Error('the token was refused');
    }
    if (!res.ok) {
      throw new Error(data.error || (method + ' ' + path + ': HTTP ' + res.status));
    }
    return data;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function button(label, onClick) {
    const b = el('button', label);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return seconds.toFixed(1) + ' s';
    if (seconds < 3600) return (seconds / 60).toFixed(1) + ' min';
    return (seconds / 3600).toFixed(1) + ' h';
  }

  // A count the store could not give (it does not answer): shown as unknown, never as 0.
  const UNKNOWN = 'unknown: the store does not answer';

  function count(n) {
    if (n !== null && n !== undefined) return el('td', n, 'num');
    const td = el('td', '?', 'num unknown');
    td.title = UNKNOWN;
    return td;
  }

  function when(iso) {
    return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
  }

  // What the last action did or why it was refused, kept until the next action: the status line
  // is rewritten by every refresh, so a refusal shown there would be gone within 2 s.
  function outcome(text, isError) {
    const o = document.getElementById('outcome');
    o.textContent = text;
    o.className = isError ? 'error' : '';
    o.hidden = false;
  }

  async function act(queue, action, body, confirmText) {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      const r = await api('POST', '/api/queues/' + encodeURIComponent(queue) + '/' + action, body || {});
      outcome(queue + ': ' + action + ' → ' + JSON.stringify(r));
    } catch (e) {
      // e.g. a dead letter replayed or purged already (by another operator, or another tab): the
      // API names it, and the figures and list below are read again, without it
      outcome(queue + ': ' + action + ': ' + e.message, true);
    }
    try {
      await refresh();
      if (dead.queue === queue) await loadDead();
    } catch (e) {
      status(e.message, true);
    }
  }

  function row(q) {
    const tr = el('tr');
    tr.dataset.queue = q.name;
    if (!q.healthy) tr.className = 'unhealthy';
    else if (q.status === 'DEGRADED') tr.className = 'degraded';
    tr.appendChild(el('td', q.name));
    tr.appendChild(el('td', q.type + (q.unique ? ' (unique)' : '')));
    for (const n of [q.ready, q.delayed, q.inFlight]) tr.appendChild(count(n));
    if (q.dead === null || q.dead === undefined) {
      tr.appendChild(count(q.dead)); // no list to open while the store does not answer
    } else {
      const deadCell = el('td', null, 'num');
      const deadLink = button(String(q.dead), () => {
        dead = { queue: q.name, offset: 0, limit: 20, total: 0 };
        loadDead().catch(e => status(e.message, true));
      });
      deadLink.className = 'dead-count';
      deadCell.appendChild(deadLink);
      tr.appendChild(deadCell);
    }
    tr.appendChild(el('td', q.activeWorkers + ' / ' + q.workers, 'num'));
    const maxCell = el('td', null, 'num max-workers');
    maxCell.appendChild(el('span', q.maxWorkers, 'max-value'));
    const input = el('input');
    input.type = 'number';
    input.min = '1';
    input.className = 'max';
    input.setAttribute('aria-label', 'max workers of ' + q.name);
    maxCell.appendChild(input);
    maxCell.appendChild(button('set', () => act(q.name, 'max-workers', { maxWorkers: Number(input.value) })));
    tr.appendChild(maxCell);
    tr.appendChild(q.countsKnown === false ? count(null) : el('td', age(q.oldestWaitingSeconds), 'num'));
    const health = el('td', q.status === 'DEGRADED' ? 'degraded' : q.healthy ? 'ok' : 'problem');
    if (q.problem) health.appendChild(el('div', q.problem, 'problem'));
    if (q.unreachableSince) health.appendChild(el('div', 'unreachable since ' + q.unreachableSince, 'problem'));
    (q.warnings || []).forEach(w => health.appendChild(el('div', w, 'warning')));
    if (q.consumers !== null && q.consumers !== undefined) {
      health.appendChild(el('div', q.consumers + (q.consumers === 1 ? ' consumer' : ' consumers')
        + (q.oldestBeatSeconds !== null && q.oldestBeatSeconds !== undefined
          ? ', oldest beat ' + age(q.oldestBeatSeconds) + ' ago' : ''), 'consumers'));
    }
    tr.appendChild(health);
    const actions = el('td');
    actions.appendChild(q.paused
      ? button('resume', () => act(q.name, 'resume'))
      : button('pause', () => act(q.name, 'pause')));
    actions.appendChild(button('flush', () => act(q.name, 'flush', { timeoutSeconds: 10 })));
    actions.appendChild(button('remove all', () => act(q.name, 'remove-all', { confirm: q.name },
      'Remove every waiting item of ' + q.name + '? This cannot be undone.')));
    tr.appendChild(actions);
    return tr;
  }

  async function refresh() {
    const queues = await api('GET', '/api/queues');
    const body = document.querySelector('#queues tbody');
    body.replaceChildren(...queues.map(row));
    status('updated ' + new Date().toLocaleTimeString());
  }

  async function loadDead() {
    const q = dead.queue;
    const page = await api('GET', '/api/queues/' + encodeURIComponent(q) + '/dead?offset=' + dead.offset + '&limit=' + dead.limit);
    dead.total = page.total;
    document.getElementById('dead').hidden = false;
    document.getElementById('dead-queue').textContent = q;
    document.getElementById('dead-total').textContent = page.total + ' in all';
    const body = document.querySelector('#dead-table tbody');
    body.replaceChildren(...page.entries.map(d => {
      const tr = el('tr');
      tr.dataset.id = d.id;
      tr.appendChild(el('td', d.id, 'num'));
      tr.appendChild(el('td', d.reason));
      tr.appendChild(el('td', d.deliveryCount, 'num'));
      tr.appendChild(el('td', d.recoveryCount, 'num'));
      tr.appendChild(el('td', when(d.firstPushed)));
      tr.appendChild(el('td', when(d.deadAt)));
      tr.appendChild(el('td', d.preview, 'payload'));
      const a = el('td');
      a.appendChild(button('replay', () => act(q, 'dead/replay', { ids: [d.id] })));
      a.appendChild(button('purge', () => act(q, 'dead/purge', { ids: [d.id] }, 'Purge dead letter ' + d.id + '?')));
      tr.appendChild(a);
      return tr;
    }));
  }

  function showLogin() {
    document.getElementById('login').hidden = false;
    document.getElementById('main').hidden = true;
  }

  async function start() {
    token = readToken();
    if (!token) {
      showLogin();
      return;
    }
    document.getElementById('login').hidden = true;
    document.getElementById('main').hidden = false;
    try {
      await refresh();
    } catch (e) {
      status(e.message, true);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('token-save').addEventListener('click', () => {
      sessionStorage.setItem(TOKEN_KEY, document.getElementById('token-input').value.trim());
      start();
    });
    document.getElementById('dead-prev').addEventListener('click', () => { dead.offset = Math.max(0, dead.offset - dead.limit); loadDead().catch(e => status(e.message, true)); });
    document.getElementById('dead-next').addEventListener('click', () => { if (dead.offset + dead.limit < dead.total) { dead.offset += dead.limit; loadDead().catch(e => status(e.message, true)); } });
    document.getElementById('dead-replay-all').addEventListener('click', () => act(dead.queue, 'dead/replay', { all: true }, 'Replay every dead letter of ' + dead.queue + '?'));
    document.getElementById('dead-purge-all').addEventListener('click', () => act(dead.queue, 'dead/purge', { all: true }, 'Purge every dead letter of ' + dead.queue + '?'));
    document.getElementById('dead-close').addEventListener('click', () => { dead.queue = null; document.getElementById('dead').hidden = true; });
    start();
    setInterval(() => { if (token && !document.getElementById('main').hidden) refresh().catch(e => status(e.message, true)); }, 2000);
  });
})();
