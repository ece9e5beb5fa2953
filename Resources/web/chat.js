/*
 * chat.js: ozgate's web chatroom, built on the public API of OzWebClient.js alone.
 *
 * The same way of use as ozchat: an invite link (/?token=TOKEN&nick=NAME[&server=…][&avatar=…]) connects at once,
 * otherwise the credentials form asks; it opens by itself on ACCESS_DENIED. Enter sends to the room; /msg NICK text
 * sends a private message; /help lists the commands.
 *
 * Safety: every string that came from a peer or the gateway (nicknames, texts, reasons, room names) is inserted as
 * text (textContent, or a string given to append(), which makes a Text node), never as HTML, and inside a <bdi> so a
 * bidi override cannot reorder what surrounds it. Avatars are loaded only from http: and https: URLs, without a
 * referrer. The page's Content-Security-Policy forbids inline script and every other origin's script.
 */
(function () {
  'use strict';

  const MAX_LOG_ENTRIES = 2000;   // older log lines are dropped
  const ARRIVALS_NAMED = 12;      // on joining, how many of the members already there are named
  const HUES = 8;                 // nickname colours: .hue-0 … .hue-7 in chat.css
  const KEYS = { server: 'ozchat.server', nickname: 'ozchat.nickname', avatar: 'ozchat.avatar', token: 'ozchat.token' };
  const State = ConnectionState;

  const byId = function (id) { return document.getElementById(id); };
  const ui = {
    body: document.body,
    roomName: byId('room-name'),
    status: byId('status'),
    stateWord: byId('state-word'),
    stateDetail: byId('state-detail'),
    reconnect: byId('reconnect'),
    openCredentials: byId('open-credentials'),
    roster: byId('roster'),
    memberCount: byId('member-count'),
    log: byId('log'),
    composer: byId('composer'),
    input: byId('message'),
    dialog: byId('credentials'),
    form: byId('credentials-form'),
    formError: byId('credentials-error'),
    cancel: byId('credentials-cancel'),
    fields: {
      server: byId('field-server'),
      token: byId('field-token'),
      nickname: byId('field-nickname'),
      avatar: byId('field-avatar'),
      password: byId('field-password')
    }
  };

  let credentials = null;   // the latest connection's { server, token, nickname, avatar, password }
  let currentState = null;  // the last state word reported to this page (CONNECTING included)
  let joined = false;       // whether these credentials were granted once: a later grant is a reconnect
  let arrivals = null;      // during a first grant's ONLINE reports: the members who were already there
  let historyLabel = '';    // the divider shown before stored messages
  let statusDetail = [];    // the status line's detail: strings, and bdi elements around untrusted text
  let statusReason = '';    // the reason of the last state, when it gave one
  let countdown = null;     // the interval that refreshes the retry countdown
  let lastFailure = null;   // { entry, reason, count }: repeated identical failures share one log line
  const members = new Map();  // phoneNumber → { info, item, name } (others; we are shown apart, first)
  const order = [];           // those entries sorted for display
  let meItem = null;
  const sending = new Map();  // nonce → the log entry of our message, until its echo comes
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

  // ---- Small DOM helpers (text only) --------------------------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Untrusted text in its own bidi isolate. */
  function isolated(className, text) {
    return element('bdi', className, text);
  }

  function hueClass(phoneNumber) {
    let hash = 0;
    for (const char of phoneNumber) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
    return 'hue-' + (hash % HUES);
  }

  /** The first visible character of a nickname, for an avatar without an image. */
  function initialOf(nickname) {
    const visible = nickname.replace(/^[\p{C}\p{Z}\p{M}]+/u, '');
    const first = typeof Intl.Segmenter === 'function'
      ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(visible)[Symbol.iterator]().next().value
      : null;
    const initial = first ? first.segment : Array.from(visible)[0];
    return initial ? initial.toLocaleUpperCase() : '?';
  }

  /** The URL when it is an http: or https: one, else null. */
  function imageUrl(text) {
    if (!text) return null;
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function avatarElement(phoneNumber, nickname, avatar) {
    const box = element('span', 'avatar ' + hueClass(phoneNumber), initialOf(nickname));
    box.setAttribute('aria-hidden', 'true');
    const url = imageUrl(avatar);
    if (url) {
      const image = document.createElement('img');
      image.alt = '';
      image.referrerPolicy = 'no-referrer';
      image.decoding = 'async';
      image.width = 36;
      image.height = 36;
      image.addEventListener('error', function () { image.remove(); });  // the initial underneath shows instead
      image.src = url;
      box.appendChild(image);
    }
    return box;
  }

  // ---- Remembered settings (the password never; the token for this tab only) --------------------------------

  function storage(name) {
    try {
      return window[name];
    } catch (error) {
      return null;  // storage disabled: nothing is remembered
    }
  }

  function recall(name, key) {
    const area = storage(name);
    try {
      return (area && area.getItem(key)) || '';
    } catch (error) {
      return '';
    }
  }

  function remember(name, key, value) {
    const area = storage(name);
    try {
      if (area && value) area.setItem(key, value);
      else if (area) area.removeItem(key);
    } catch (error) {
      // quota or privacy settings: not remembered
    }
  }

  function saveCredentials(values) {
    remember('localStorage', KEYS.server, values.server);
    remember('localStorage', KEYS.nickname, values.nickname);
    remember('localStorage', KEYS.avatar, values.avatar);
    remember('sessionStorage', KEYS.token, values.token);
  }

  function savedCredentials() {
    return {
      server: recall('localStorage', KEYS.server) || location.host,
      token: recall('sessionStorage', KEYS.token),
      nickname: recall('localStorage', KEYS.nickname),
      avatar: recall('localStorage', KEYS.avatar),
      password: ''
    };
  }

  // ---- The log ----------------------------------------------------------------------------------------------

  function timeElement(date) {
    const time = element('time');
    if (!isNaN(date.getTime())) {
      time.dateTime = date.toISOString();
      time.title = date.toLocaleString();
      time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    }
    return time;
  }

  function appendEntry(entry) {
    const atBottom = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 48;
    ui.log.appendChild(entry);
    while (ui.log.childElementCount > MAX_LOG_ENTRIES) ui.log.firstElementChild.remove();
    if (atBottom) ui.log.scrollTop = ui.log.scrollHeight;
  }

  /** A log line that is not a chat message; parts are strings (added as text) or nodes. */
  function notice(kind, parts, when) {
    const entry = element('div', 'entry notice ' + kind);
    const body = element('span', 'body');
    body.append.apply(body, parts);
    entry.append(timeElement(when || new Date()), element('span', 'mark', noticeMarks[kind.split(' ')[0]]), body);
    appendEntry(entry);
    return entry;
  }

  const noticeMarks = { join: '→', leave: '←', rename: '✎', error: '!', gap: '…', state: '●', info: 'i', here: '☺' };

  function messageEntry(classes, when, phoneNumber, nickname, text, privateTag) {
    const entry = element('div', 'entry message ' + classes);
    const nick = isolated('nick ' + hueClass(phoneNumber), nickname);
    nick.title = nickname + ' (' + phoneNumber + ')';
    const body = element('span', 'body');
    if (privateTag) body.appendChild(privateTag);
    body.appendChild(isolated('text', text));
    entry.append(timeElement(when), nick, body);
    return entry;
  }

  function privateTag(recipientName) {
    const tag = element('span', 'tag', recipientName === null ? 'private' : 'private to ');
    if (recipientName !== null) tag.appendChild(isolated('', recipientName));
    return tag;
  }

  function showMessage(message) {
    let tag = null;
    if (message.private) {
      const toSomeoneElse = message.own && message.to !== OzWebClient.phoneNumber;
      tag = privateTag(toSomeoneElse ? (message.recipient ? message.recipient.nickname : message.to) : null);
    }
    const classes = [message.own ? 'own' : '', message.private ? 'private' : '', message.history ? 'history' : ''];
    const entry = messageEntry(classes.join(' '), message.ts, message.from, message.nickname, message.text, tag);
    entry.dataset.id = message.id;
    const waiting = message.nonce !== null ? sending.get(message.nonce) : undefined;
    if (waiting) sending.delete(message.nonce);
    if (waiting && waiting.isConnected) {
      // The echo of a message we sent: it takes the place of the line shown when it was sent.
      waiting.replaceWith(entry);
      return;
    }
    const last = ui.log.lastElementChild;
    if (message.history && !(last && (last.classList.contains('history') || last.classList.contains('divider')))) {
      appendEntry(element('div', 'entry divider', historyLabel));
    }
    appendEntry(entry);
  }

  /** Our own message, shown at once and marked as sending until its echo comes. */
  function showSending(nonce, text, recipient) {
    const nickname = (credentials && credentials.nickname) || OzWebClient.phoneNumber || 'you';
    const tag = recipient ? privateTag(recipient.nickname) : null;
    const entry = messageEntry('own sending' + (recipient ? ' private' : ''), new Date(),
      OzWebClient.phoneNumber || '', nickname, text, tag);
    appendEntry(entry);
    sending.set(nonce, entry);
  }

  // ---- The roster -------------------------------------------------------------------------------------------

  function compareMembers(a, b) {
    return collator.compare(a.name, b.name) || (a.phoneNumber < b.phoneNumber ? -1 : a.phoneNumber > b.phoneNumber ? 1 : 0);
  }

  /** Where an entry goes in `order` (binary search). */
  function orderIndex(entry) {
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareMembers(order[middle], entry) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  function memberItem(phoneNumber, nickname, avatar, isMe) {
    const item = element('li', isMe ? 'member me' : 'member');
    item.dataset.phone = phoneNumber;
    const row = element(isMe ? 'div' : 'button', 'member-row');
    row.append(avatarElement(phoneNumber, nickname, avatar), isolated('nick', nickname));
    if (isMe) {
      row.appendChild(element('span', 'you', 'you'));
    } else {
      row.type = 'button';
      row.title = 'Send a private message';
      row.addEventListener('click', function () { startPrivateMessage(phoneNumber); });
    }
    item.appendChild(row);
    return item;
  }

  function addMember(info) {
    removeMember(info.phoneNumber);
    const entry = { info: info, name: info.nickname, phoneNumber: info.phoneNumber,
      item: memberItem(info.phoneNumber, info.nickname, info.avatar, false) };
    const at = orderIndex(entry);
    ui.roster.insertBefore(entry.item, at < order.length ? order[at].item : null);
    order.splice(at, 0, entry);
    members.set(info.phoneNumber, entry);
  }

  function removeMember(phoneNumber) {
    const entry = members.get(phoneNumber);
    if (!entry) return;
    members.delete(phoneNumber);
    order.splice(orderIndex(entry), 1);
    entry.item.remove();
  }

  function showMe() {
    if (meItem) meItem.remove();
    const phoneNumber = OzWebClient.phoneNumber;
    meItem = memberItem(phoneNumber, (credentials && credentials.nickname) || phoneNumber, credentials && credentials.avatar, true);
    ui.roster.prepend(meItem);
    updateCount();
  }

  function hideMe() {
    if (meItem) meItem.remove();
    meItem = null;
    updateCount();
  }

  function updateCount() {
    const count = members.size + (meItem ? 1 : 0);
    ui.memberCount.textContent = count > 0 ? String(count) : '';
  }

  function startPrivateMessage(phoneNumber) {
    const entry = members.get(phoneNumber);
    if (!entry) return;
    // The nickname when it names this member alone and is one word, else the number.
    const nickname = entry.info.nickname;
    const unique = /^\S+$/.test(nickname) && matchingMembers(nickname).length === 1;
    ui.input.value = '/msg ' + (unique ? nickname : phoneNumber) + ' ';
    ui.input.focus();
  }

  function matchingMembers(nickname) {
    return order.filter(function (entry) { return collator.compare(entry.name, nickname) === 0; });
  }

  // ---- Status line ------------------------------------------------------------------------------------------

  /** detail: a string from the gateway or the user (shown in its own bidi isolate), or an array of parts. */
  function setStatus(word, detail) {
    currentState = word;
    ui.stateWord.textContent = word;
    ui.status.dataset.state = word;
    statusReason = typeof detail === 'string' ? detail : '';
    statusDetail = Array.isArray(detail) ? detail : (detail ? [isolated('', detail)] : []);
    ui.reconnect.hidden = !(credentials && (word === State.CONNECTION_FAILED || word === State.CONNECTION_CLOSED));
    clearInterval(countdown);
    countdown = OzWebClient.retryAt ? setInterval(refreshDetail, 250) : null;
    refreshDetail();
  }

  /** When the next attempt starts; 'not retrying' after a failure or close that is final (unless we asked for it). */
  function retryText() {
    const at = OzWebClient.retryAt;
    if (!at) {
      const ended = currentState === State.CONNECTION_FAILED || currentState === State.CONNECTION_CLOSED;
      return ended && statusReason !== 'client' ? 'not retrying' : '';
    }
    const seconds = Math.max(0, (at.getTime() - Date.now()) / 1000);
    return 'retrying in ' + (seconds < 10 ? seconds.toFixed(1) : Math.ceil(seconds)) + ' s';
  }

  function refreshDetail() {
    const retry = retryText();
    const parts = statusDetail.slice();
    if (retry) parts.push(parts.length > 0 ? ' · ' + retry : retry);
    ui.stateDetail.replaceChildren.apply(ui.stateDetail, parts);
  }

  // ---- The credentials form ---------------------------------------------------------------------------------

  /** problem: a string of ours, or an array of parts (untrusted text in bdi elements). */
  function openCredentials(problem, focus) {
    const values = credentials || savedCredentials();
    if (!ui.dialog.open) {
      Object.keys(ui.fields).forEach(function (name) {
        ui.fields[name].value = values[name] || '';
        ui.fields[name].removeAttribute('aria-invalid');
      });
      ui.dialog.showModal();
    }
    ui.formError.replaceChildren(...(Array.isArray(problem) ? problem : [problem || '']));
    const target = focus || (ui.fields.server.value ? (ui.fields.token.value ? ui.fields.nickname : ui.fields.token) : ui.fields.server);
    target.focus();
    target.select();
  }

  function rejectField(field, problem) {
    ui.formError.textContent = problem;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }

  ui.form.addEventListener('submit', function (event) {
    event.preventDefault();
    const f = ui.fields;
    const values = {
      server: f.server.value.trim(),
      token: f.token.value.trim(),
      nickname: f.nickname.value.trim(),
      avatar: f.avatar.value.trim(),
      password: f.password.value
    };
    try {
      OzWebClient.serverUrl(values.server);
    } catch (error) {
      rejectField(f.server, 'Server: ' + error.message + '.');
      return;
    }
    if (!values.token) {
      rejectField(f.token, 'Token: enter the room\'s token or an extension number.');
      return;
    }
    if (values.avatar && !imageUrl(values.avatar)) {
      rejectField(f.avatar, 'Avatar: use an http:// or https:// image URL, or leave it empty.');
      return;
    }
    ui.dialog.close();
    connectWith(values);
    ui.input.focus();
  });

  Object.keys(ui.fields).forEach(function (name) {
    ui.fields[name].addEventListener('input', function () { ui.fields[name].removeAttribute('aria-invalid'); });
  });
  ui.cancel.addEventListener('click', function () { ui.dialog.close(); });
  ui.openCredentials.addEventListener('click', function () { openCredentials(''); });
  ui.reconnect.addEventListener('click', function () { if (credentials) connectWith(credentials); });

  function connectWith(values) {
    credentials = values;
    joined = false;
    const properties = {};
    if (values.nickname) properties.Nickname = values.nickname;
    if (values.avatar) properties.Avatar = values.avatar;
    if (values.password) properties.Password = values.password;
    OzWebClient.connect(values.server, values.token, properties);
  }

  // ---- The message input ------------------------------------------------------------------------------------

  const HELP = 'Enter sends to the room. Commands: /msg NICK|NUMBER text (private), /nick NAME, /disconnect, ' +
    '/reconnect, /connect (the form), /help. Start a message with // to send a leading /.';

  ui.composer.addEventListener('submit', function (event) {
    event.preventDefault();
    const line = ui.input.value;
    if (line.trim() === '') return;
    if (run(line)) ui.input.value = '';
  });

  /** Runs a line from the input; true when it was taken (the input is then cleared). */
  function run(line) {
    if (line.startsWith('//')) return say(line.slice(1), null);
    if (!line.startsWith('/')) return say(line, null);
    const parts = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
    const command = parts ? parts[1].toLowerCase() : '';
    const rest = parts ? parts[2] : '';
    switch (command) {
      case 'msg': {
        const words = /^(\S+)\s+([\s\S]+)$/.exec(rest);
        if (!words) {
          notice('info', ['usage: /msg NICK|NUMBER text']);
          return false;
        }
        const recipient = findMember(words[1]);
        return recipient !== null && say(words[2], recipient);
      }
      case 'nick':
        if (!credentials || rest.trim() === '') {
          notice('info', [credentials ? 'usage: /nick NAME' : 'connect first']);
          return false;
        }
        connectWith(Object.assign({}, credentials, { nickname: rest.trim() }));
        return true;
      case 'disconnect':
        OzWebClient.disconnect();
        return true;
      case 'reconnect':
        if (credentials) connectWith(credentials);
        else openCredentials('');
        return true;
      case 'connect':
        openCredentials('');
        return true;
      case 'help':
        notice('info', [HELP]);
        return true;
      default:
        notice('info', ['unknown command /', isolated('', command), '; /help lists the commands']);
        return false;
    }
  }

  function findMember(word) {
    const byNumber = members.get(word);
    if (byNumber) return byNumber.info;
    const matches = matchingMembers(word);
    if (matches.length === 1) return matches[0].info;
    if (matches.length === 0) {
      notice('error', ['no member ', isolated('', word), ' here']);
    } else {
      notice('error', ['several members are called ', isolated('', word), '; use a number: ' +
        matches.map(function (entry) { return entry.phoneNumber; }).join(', ')]);
    }
    return null;
  }

  function say(text, recipient) {
    const nonce = OzWebClient.sendMessage(text, recipient || undefined);
    if (nonce === null) return false;  // refused; onErrorOccured said why
    showSending(nonce, text, recipient);
    return true;
  }

  // ---- OzWebClient events -----------------------------------------------------------------------------------

  OzWebClient.onConnecting(function (attempt, url) {
    setStatus(State.CONNECTING, attempt === 0 ? url : 'attempt ' + attempt + ' · ' + url);
  });

  OzWebClient.onConnectionStateChanged(function (state, reason) {
    const granted = state === State.ACCESS_GRANTED;
    ui.body.classList.toggle('offline', !granted);
    if (granted) {
      const room = OzWebClient.room || '';
      historyLabel = joined ? 'Said while you were away' : 'Earlier messages';
      const first = !joined;
      joined = true;
      saveCredentials(credentials);
      ui.roomName.textContent = room;
      document.title = room ? 'ozchat · ' + room : 'ozchat';
      showMe();
      const nickname = credentials.nickname || OzWebClient.phoneNumber;
      setStatus(state, ['you are ', isolated('', nickname), ' (' + OzWebClient.phoneNumber + ')']);
      notice('state granted', [state + ' · room ', isolated('', room), ' · you are ', isolated('', nickname),
        ' (' + OzWebClient.phoneNumber + ')']);
      lastFailure = null;
      if (first) {
        // The library reports the members already here right after this callback, in the same task: collect them
        // and name them on one line, rather than one "joined" line each.
        arrivals = [];
        queueMicrotask(reportArrivals);
      }
      if (!ui.dialog.open) ui.input.focus();
      return;
    }
    setStatus(state, reason);
    if (OzWebClient.retryAt === null) hideMe();
    logState(state, reason);
    if (state === State.ACCESS_DENIED) {
      remember('sessionStorage', KEYS.token, '');
      openCredentials([state + ': ', isolated('', reason || 'access denied'), '. Check the token (and the password of an extension).'],
        ui.fields.token);
    } else if (state === State.CONNECTION_FAILED && OzWebClient.retryAt === null) {
      openCredentials([state + ': ', isolated('', reason || 'cannot connect')]);
    }
  });

  /** Logs a state other than ACCESS_GRANTED; identical failures in a row share one line with a count. */
  function logState(state, reason) {
    const retry = retryText();
    const text = state + (reason ? ' · ' + reason : '');
    // The reason comes from the gateway (or the network): in its own bidi isolate.
    const parts = function () { return reason ? [state + ' · ', isolated('', reason)] : [state]; };
    if (state === State.CONNECTION_FAILED && lastFailure && lastFailure.text === text &&
        ui.log.lastElementChild === lastFailure.entry) {
      lastFailure.count += 1;
      lastFailure.entry.querySelector('.body').replaceChildren(...parts(), ' (×' + lastFailure.count + ') · ' + retry);
      return;
    }
    const entry = notice('state', parts().concat(retry ? [' · ' + retry] : []));
    lastFailure = state === State.CONNECTION_FAILED ? { entry: entry, text: text, count: 1 } : null;
  }

  function reportArrivals() {
    const here = arrivals;
    arrivals = null;
    if (here.length === 0) {
      notice('here', ['No one else is here yet.']);
      return;
    }
    const parts = ['Here: '];
    here.slice(0, ARRIVALS_NAMED).forEach(function (info, index) {
      if (index > 0) parts.push(', ');
      parts.push(isolated('', info.nickname));
    });
    if (here.length > ARRIVALS_NAMED) parts.push(' and ' + (here.length - ARRIVALS_NAMED) + ' more');
    notice('here', parts);
  }

  OzWebClient.onClientStateChanged(function (info) {
    const granted = currentState === State.ACCESS_GRANTED;
    const known = members.get(info.phoneNumber);
    if (info.status === 'ONLINE') {
      addMember(info);
      if (arrivals) {
        arrivals.push(info);
      } else if (granted && !known) {
        notice('join', [isolated('', info.nickname), ' joined']);
      } else if (granted && known.info.nickname !== info.nickname) {
        notice('rename', [isolated('', known.info.nickname), ' is now ', isolated('', info.nickname)]);
      }
    } else {
      removeMember(info.phoneNumber);
      // After the session ended for good everyone is reported OFFLINE: the state line already said so.
      if (granted) notice('leave', [isolated('', info.nickname), ' left']);
    }
    updateCount();
  });

  OzWebClient.onMessageReceived(showMessage);

  OzWebClient.onErrorOccured(function (error) {
    const entry = error.nonce ? sending.get(error.nonce) : undefined;
    if (entry) {
      sending.delete(error.nonce);
      entry.classList.remove('sending');
      entry.classList.add('failed');
      entry.querySelector('.body').appendChild(element('span', 'failure', 'not delivered: ' + error.message));
      return;
    }
    if (error.code === 'GAP') notice('gap', [error.message]);
    else notice('error', [error.code + ': ' + error.message]);
  });

  // ---- Start ------------------------------------------------------------------------------------------------

  function start() {
    const params = new URLSearchParams(location.search);
    // Drop the query from the address bar (and from history) so the token does not linger there.
    if (location.search !== '') history.replaceState(history.state, '', location.pathname + location.hash);
    if (params.has('password')) {
      notice('info', ['The link held a password; it was ignored: a password is never taken from a link.']);
    }
    const token = (params.get('token') || '').trim();
    const saved = savedCredentials();
    if (token) {
      connectWith({
        server: params.get('server') || location.host,
        token: token,
        nickname: params.has('nick') ? params.get('nick').trim() : saved.nickname,
        avatar: params.has('avatar') ? imageUrl(params.get('avatar').trim()) || '' : saved.avatar,
        password: ''
      });
    } else if (saved.token) {
      connectWith(saved);
    } else {
      openCredentials('');
    }
  }

  start();
})();
