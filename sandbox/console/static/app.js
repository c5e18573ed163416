// The console's browser side: renders server-made HTML, sends clicks, submissions and messages, updates live.
const $ = (sel) => document.querySelector(sel);
const view = { as: localStorage.getItem('sandbox.as') || '', channel: '', thread: '', page: '', incident: '' };

const deepLink = /^\/archives\/([A-Z0-9]+)(?:\/p(\d+))?/.exec(location.pathname);
const incidentsLink = /^\/incidents(?:\/([^/]+))?\/?$/.exec(location.pathname);
if (incidentsLink) {
  view.page = 'incidents';
  view.incident = incidentsLink[1] ? decodeURIComponent(incidentsLink[1]) : '';
  view.channel = localStorage.getItem('sandbox.channel') || '';
} else if (deepLink) {
  view.channel = deepLink[1];
  // A permalink's p1700000000123456 is ts 1700000000.123456; open it as a thread so the message is in view.
  if (deepLink[2] && deepLink[2].length > 6) view.thread = `${deepLink[2].slice(0, -6)}.${deepLink[2].slice(-6)}`;
} else view.channel = localStorage.getItem('sandbox.channel') || '';

function toast(text, bad) {
  const el = $('#toast');
  el.textContent = text;
  el.className = bad ? 'bad' : '';
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ as: view.as, ...body }),
  });
  const json = await res.json().catch(() => ({ ok: false, error: res.statusText }));
  if (!json.ok) toast(json.error || 'failed', true);
  else if (json.result && json.result.error)
    toast(`The app answered ${json.result.status || 'nothing'} (${json.result.error})`, true);
  refresh();
  return json;
}

function text(el, value) {
  el.textContent = value;
  return el;
}

function renderSidebar(s) {
  const as = $('#as');
  if (!as.options.length) {
    for (const u of s.roster) {
      const o = document.createElement('option');
      o.value = u.id;
      o.textContent = `${u.name} (${u.title})`;
      as.append(o);
    }
  }
  as.value = s.me.id;
  const nav = $('#channels');
  nav.replaceChildren();
  const groups = [
    ['incident', 'Incidents'],
    ['team', 'Channels'],
    ['dm', 'Direct messages'],
  ];
  for (const [kind, title] of groups) {
    const items = s.channels.filter((c) => c.kind === kind);
    if (!items.length) continue;
    nav.append(text(document.createElement('h3'), title));
    for (const c of items) {
      const a = document.createElement('a');
      a.href = '#';
      a.dataset.channel = c.id;
      a.className = c.id === (s.channel && s.channel.id) ? 'active' : '';
      if (!c.member) a.classList.add('not-member');
      a.textContent = `${kind === 'dm' ? '@' : '#'} ${c.name}`;
      nav.append(a);
    }
  }
  const d = $('#deliveries');
  d.replaceChildren();
  for (const x of s.deliveries.slice().reverse()) {
    const line = document.createElement('div');
    line.className = x.error ? 'bad' : '';
    line.textContent = `${x.kind} → ${x.status || 'no answer'} in ${x.ms} ms${x.error ? ` (${x.error})` : ''}`;
    d.append(line);
  }
}

async function refresh() {
  clearTimeout(refresh.timer);
  // Refreshes overlap (every workspace event asks for one): only the newest may draw, or a slow answer for the channel
  // shown before a click would switch the view back to it.
  const seq = (refresh.seq = (refresh.seq || 0) + 1);
  const q = new URLSearchParams({ as: view.as, channel: view.channel, thread: view.thread });
  const res = await fetch(`/sandbox/console/api/state?${q}`);
  if (seq !== refresh.seq) return;
  if (!res.ok) return;
  const s = await res.json();
  if (seq !== refresh.seq) return;
  view.as = s.me.id;
  if (s.channel) view.channel = s.channel.id;
  renderSidebar(s);
  const onIncidents = view.page === 'incidents';
  $('#messages').hidden = onIncidents;
  $('#composer').hidden = onIncidents;
  $('#incidents-page').hidden = !onIncidents;
  $('#incidents-link').className = onIncidents ? 'page-link active' : 'page-link';
  if (onIncidents) {
    text($('#channel-name'), view.incident ? `Incident ${view.incident}` : 'Incidents');
    $('#channel-topic').replaceChildren();
    await renderIncidents();
  } else {
    text($('#channel-name'), s.channel ? `${s.channel.kind === 'dm' ? '@' : '#'} ${s.channel.name}` : 'No channel');
    $('#channel-topic').innerHTML = s.channel ? s.channel.topicHtml : '';
  }
  const box = $('#messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  // The HTML comes from the server's renderer, which escapes every string it takes from Slack payloads.
  box.innerHTML = s.messagesHtml || '<div class="muted empty">No messages yet.</div>';
  if (atBottom) box.scrollTop = box.scrollHeight;
  $('#thread').hidden = !view.thread || !s.threadHtml;
  $('#thread-messages').innerHTML = s.threadHtml;
  const backdrop = $('#modal-backdrop');
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#modal');
  const modalKey = s.modalHtml;
  if (!s.modalHtml) {
    backdrop.hidden = true;
    $('#modal').replaceChildren();
    refresh.modal = '';
  } else if (modalKey !== refresh.modal && !(focused && sameView(modalKey))) {
    $('#modal').innerHTML = s.modalHtml;
    backdrop.hidden = false;
    refresh.modal = modalKey;
  } else if (modalKey !== refresh.modal) {
    // The person is typing: keep their input, but show new errors.
    const keep = readInputs();
    $('#modal').innerHTML = s.modalHtml;
    writeInputs(keep);
    refresh.modal = modalKey;
  }
  refresh.timer = setTimeout(refresh, 5000);
}

async function renderIncidents() {
  const path = view.incident
    ? `/sandbox/console/api/incidents/${encodeURIComponent(view.incident)}`
    : '/sandbox/console/api/incidents';
  const res = await fetch(path);
  const body = await res.json().catch(() => ({ error: res.statusText }));
  const page = $('#incidents-page');
  if (!res.ok) {
    const p = document.createElement('div');
    p.className = 'muted empty';
    p.textContent = body.error || `failed (${res.status})`;
    page.replaceChildren(p);
    return;
  }
  // The HTML comes from the server's renderer (incidents-page.ts), which escapes every string it reads.
  if (page.innerHTML !== body.html) page.innerHTML = body.html;
}

function openIncidents(incident) {
  view.page = 'incidents';
  view.incident = incident || '';
  history.pushState(null, '', incident ? `/incidents/${encodeURIComponent(incident)}` : '/incidents');
  refresh();
}

function sameView(html) {
  const m = /data-view-id="([^"]+)"/.exec(html);
  const form = $('#modal form');
  return m && form && form.dataset.viewId === m[1];
}

function readInputs() {
  const values = {};
  for (const el of document.querySelectorAll('#modal [data-input]')) {
    const b = el.dataset.blockId;
    const a = el.dataset.actionId;
    values[b] = values[b] || {};
    values[b][a] = el.multiple ? [...el.selectedOptions].map((o) => o.value) : el.value;
  }
  return values;
}

function writeInputs(values) {
  for (const el of document.querySelectorAll('#modal [data-input]')) {
    const v = values[el.dataset.blockId] && values[el.dataset.blockId][el.dataset.actionId];
    if (v === undefined) continue;
    if (el.multiple) for (const o of el.options) o.selected = v.includes(o.value);
    else el.value = v;
  }
}

function sendClick(btn) {
  if (btn.dataset.url) window.open(btn.dataset.url, '_blank', 'noopener');
  post('/sandbox/console/api/click', {
    actionId: btn.dataset.actionId,
    channel: btn.dataset.channel,
    ts: btn.dataset.ts,
    viewId: btn.dataset.viewId,
    value: btn.dataset.value,
  });
}

let confirming;
function openConfirm(btn) {
  confirming = btn;
  // The dialog's HTML comes from the server's renderer (renderConfirm), which escapes every string of the payload.
  $('#confirm').innerHTML = btn.dataset.confirm;
  $('#confirm-backdrop').hidden = false;
}

function closeConfirm() {
  confirming = undefined;
  $('#confirm-backdrop').hidden = true;
  $('#confirm').replaceChildren();
}

document.addEventListener('click', (ev) => {
  const t = ev.target;
  if (!(t instanceof Element)) return;
  if (t.closest('#incidents-link, [data-incidents-list]')) {
    ev.preventDefault();
    openIncidents('');
    return;
  }
  const inc = t.closest('#incidents-page [data-incident]');
  if (inc && !inc.classList.contains('incident-detail') && !inc.closest('.incident-detail')) {
    ev.preventDefault();
    openIncidents(inc.dataset.incident);
    return;
  }
  const ch = t.closest('[data-channel]');
  if (ch && ch.closest('#channels')) {
    ev.preventDefault();
    view.page = '';
    view.incident = '';
    view.channel = ch.dataset.channel;
    view.thread = '';
    localStorage.setItem('sandbox.channel', view.channel);
    history.replaceState(null, '', '/');
    refresh();
    return;
  }
  const th = t.closest('[data-thread]');
  if (th) {
    ev.preventDefault();
    view.thread = th.dataset.thread;
    refresh();
    return;
  }
  if (t.closest('[data-confirm-ok]')) {
    const btn = confirming;
    closeConfirm();
    if (btn) sendClick(btn);
    return;
  }
  if (t.closest('[data-confirm-deny]')) {
    closeConfirm();
    return;
  }
  const btn = t.closest('button[data-kind="button"]');
  if (btn) {
    // A button with a Block Kit `confirm` asks first, as Slack does; the click is only delivered when confirmed.
    if (btn.dataset.confirm) openConfirm(btn);
    else sendClick(btn);
    return;
  }
  if (t.closest('[data-modal-close]')) {
    post('/sandbox/console/api/close', {});
  }
});

document.addEventListener('change', (ev) => {
  const sel = ev.target;
  if (!(sel instanceof HTMLSelectElement)) return;
  if (sel.id === 'as') {
    view.as = sel.value;
    localStorage.setItem('sandbox.as', view.as);
    refresh();
    return;
  }
  if (sel.id === 'scenario') {
    if (!sel.value) return;
    fetch('/sandbox/api/trigger', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scenario: sel.value }),
    })
      .then((r) => toast(r.ok ? `Triggered ${sel.value}` : `Trigger failed (${r.status})`, !r.ok))
      .finally(() => {
        sel.value = '';
      });
    return;
  }
  if (sel.dataset.kind === 'select' && sel.value) {
    post('/sandbox/console/api/click', {
      actionId: sel.dataset.actionId,
      channel: sel.dataset.channel,
      ts: sel.dataset.ts,
      viewId: sel.dataset.viewId,
      selected: sel.value,
    });
  }
});

document.addEventListener('submit', (ev) => {
  const form = ev.target;
  ev.preventDefault();
  if (form.id === 'composer' || form.id === 'thread-composer') {
    const area = form.querySelector('textarea');
    const value = area.value.trim();
    if (!value) return;
    area.value = '';
    post('/sandbox/console/api/send', {
      channel: view.channel,
      text: value,
      threadTs: form.id === 'thread-composer' ? view.thread : undefined,
    });
    return;
  }
  if (form.classList.contains('sb-modal')) {
    post('/sandbox/console/api/submit', { viewId: form.dataset.viewId, values: readInputs() });
  }
});

document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && confirming) {
    closeConfirm();
    return;
  }
  if (
    ev.key === 'Enter' &&
    !ev.shiftKey &&
    ev.target instanceof HTMLTextAreaElement &&
    ev.target.closest('#composer, #thread-composer')
  ) {
    ev.preventDefault();
    ev.target.form.requestSubmit();
  }
});

window.addEventListener('popstate', () => {
  const m = /^\/incidents(?:\/([^/]+))?\/?$/.exec(location.pathname);
  view.page = m ? 'incidents' : '';
  view.incident = m && m[1] ? decodeURIComponent(m[1]) : '';
  refresh();
});

$('#close-thread').addEventListener('click', () => {
  view.thread = '';
  refresh();
});

async function loadScenarios() {
  try {
    const res = await fetch('/sandbox/api/scenarios');
    if (!res.ok) return;
    const body = await res.json();
    const list = Array.isArray(body) ? body : Array.isArray(body.scenarios) ? body.scenarios : [];
    if (!list.length) return;
    const sel = $('#scenario');
    for (const s of list) {
      const o = document.createElement('option');
      o.value = typeof s === 'string' ? s : s.id;
      o.textContent = typeof s === 'string' ? s : s.title || s.name || s.id;
      if (s.description) o.title = s.description;
      sel.append(o);
    }
    $('#trigger').hidden = false;
  } catch {
    // No world in this workspace: the menu stays hidden.
  }
}

let pending;
const events = new EventSource('/sandbox/console/api/events');
events.onmessage = () => {
  clearTimeout(pending);
  pending = setTimeout(refresh, 80);
};

loadScenarios();
refresh();
