/*
 * OzWebClient.js: the OzWebClient JavaScript API (Ozeki Phone System's web client) for ozgate.
 *
 * One file, no dependencies, no build step. Load it as a classic script:
 *
 *     <script src="/OzWebClient.js"></script>
 *
 * It defines two globals, OzWebClient and ConnectionState, and speaks OzWire v1.1 (PROTOCOL.md) to an ozgate over a
 * WebSocket, so the examples of Ozeki's documentation run unchanged:
 *
 *     OzWebClient.onConnectionStateChanged(function (state) { console.log(state); });  // prints ACCESS_GRANTED
 *     OzWebClient.connect("localhost", "1500", { Nickname: "John", Password: "12345678" });
 *
 * OzWebClient
 *   connect(serverAddress, token, properties)
 *       serverAddress: HOST, HOST:PORT, [IPv6], [IPv6]:PORT, ws://HOST[:PORT][/PATH] or wss://…; the port defaults to
 *       7779; without a scheme ws:// is used from an http: (or file:) page and wss:// from an https: page.
 *       token: a line token, or an extension's number (its password then goes as properties.Password).
 *       properties: an optional plain object shown to the other members (Nickname, Avatar: a URL, …).
 *       A connect() while a session is open ends it first, as disconnect() does (CONNECTION_CLOSED with reason
 *       "client", then OFFLINE for its members). A bad address, an empty token or properties that are not a plain
 *       object are reported through onErrorOccured (code BAD_ADDRESS, BAD_TOKEN, BAD_PROPERTIES) and then
 *       CONNECTION_FAILED, not thrown.
 *   disconnect()
 *       Ends the session for good: CONNECTION_CLOSED (reason "client"), OFFLINE for every member still known; no
 *       automatic reconnect follows.
 *   sendMessage(text, to)
 *       text: 1–4096 characters. to: a member's phoneNumber (or its ClientInfo); the whole room ("*") when left out.
 *       Returns the message's nonce (a random string that comes back as message.nonce on its echo), or null when the
 *       message was not accepted (the reason goes to onErrorOccured). While the connection is being re-established a
 *       room message waits and goes out after the resume; one that was caught by a drop is looked up in the resumed
 *       history and sent again only if the gateway had not taken it.
 *   historySize
 *       How many of the room's newest stored messages the first connect asks for (0–500, default 50). Every
 *       automatic reconnect asks instead for what was said since the last message seen.
 *
 *   Callbacks. Each onX(callback) ADDS a listener (registering the same function twice adds it once) and returns a
 *   function that removes it. A callback that throws is reported with console.error and does not disturb the others
 *   or the library. A callback that is not a function is a programmer error: onX throws a TypeError.
 *   onConnectionStateChanged(function (state, reason) {…})
 *       state: one of the four words of ConnectionState, as a primitive string: "ACCESS_GRANTED", "ACCESS_DENIED",
 *       "CONNECTION_FAILED", "CONNECTION_CLOSED". reason: a string where there is one: the gateway's reason for a
 *       denial, its word for a close (shutdown, replaced, kicked, idle, slow), "client" after disconnect() or a
 *       switching connect(), or what went wrong ("lost (close code 1006)"). A browser cannot send WebSocket pings:
 *       a dead connection is noticed when the browser closes the socket. Nor does it tell a rejected certificate
 *       from other failures: a wss:// server whose certificate the browser rejects is retried like any failure.
 *       Reconnects follow PROTOCOL.md: after CONNECTION_FAILED or an unexpected CONNECTION_CLOSED a new attempt
 *       starts after a full-jitter backoff delay (0.5 s doubling up to 30 s, restarting after a session of 10 s);
 *       never after ACCESS_DENIED, reasons replaced, kicked and client, or disconnect(). OzWebClient.retryAt tells
 *       when the next attempt starts. CONNECTING is never passed here (the documented four states stay four; see
 *       onConnecting).
 *   onConnecting(function (attempt, url) {…})
 *       A connection attempt starts: attempt 0 for connect(), N for the Nth automatic retry in a row.
 *   onClientStateChanged(function (clientInfo) {…})
 *       One call per change. ClientInfo (frozen): phoneNumber, status ("ONLINE" or "OFFLINE"), properties (as the
 *       member sent them, passwords removed by the gateway), nickname (properties.Nickname, or the phoneNumber when
 *       it has none) and avatar (properties.Avatar when it is a string, else null: an untrusted URL, check its scheme
 *       before use). After ACCESS_GRANTED every member already there is reported ONLINE, right after the state
 *       callback and in the same task, so a roster can be built from this callback alone. After an automatic reconnect only differences
 *       are reported: those who left meanwhile OFFLINE, newcomers (and members whose properties changed) ONLINE. When
 *       the session ends for good (disconnect(), ACCESS_DENIED, replaced, kicked, a switching connect()) every member
 *       still known is reported OFFLINE, after the state callback.
 *   onMessageReceived(function (message) {…})
 *       message (frozen): id, from (phoneNumber), to ("*" or a phoneNumber), text, ts (a Date: when the gateway took
 *       the message), nonce (string or null), private (true when to is not "*"), own (our own message: the echo of
 *       sendMessage, or one we sent earlier found in the history), history (true for a stored message handed over at
 *       (re)connect time: said before we joined, or while the connection was down), sender (the ClientInfo of the
 *       sender when known: the properties it had when it sent the message, else its roster entry; null otherwise),
 *       nickname (the sender's nickname, or from), recipient (for a private message: the ClientInfo of to when known,
 *       else null). Every string in it came from a peer: insert it as text, never as HTML.
 *   onErrorOccured(function (error) {…})   (spelled as Ozeki spells it)
 *       error (frozen): code and message, plus nonce/text/to when it is about a message we sent. Codes: the gateway's
 *       (BAD_FRAME, RATE_LIMITED, UNKNOWN_RECIPIENT, UNAVAILABLE, …) and the library's own: BAD_ADDRESS, BAD_TOKEN,
 *       BAD_PROPERTIES (connect() arguments), NOT_CONNECTED (sendMessage without a session), NOT_DELIVERED (a
 *       message of ours the session ended or dropped before the gateway confirmed it), GAP (a reconnect could not
 *       get every message said while the connection was down).
 *
 *   Read-only properties: state (the last state word, "CONNECTING" during an attempt, null before the first
 *   connect), phoneNumber and room (while granted, else null), retryAt (a Date while an automatic retry is
 *   scheduled, else null), clients (an array of the ClientInfo of every member known now).
 *   Callbacks run after the library has finished handling the event that caused them, so these properties may
 *   already describe a later event than the one being delivered.
 *   serverUrl(serverAddress[, pageUrl]) returns the ws:// or wss:// URL that connect() would use (pageUrl, default
 *   the page's own, decides the scheme when the address has none), or throws an Error naming the problem.
 *
 * ConnectionState: ACCESS_GRANTED, ACCESS_DENIED, CONNECTION_FAILED, CONNECTION_CLOSED, each equal to its own name
 * (so state === ConnectionState.ACCESS_GRANTED holds), and CONNECTING, the value of OzWebClient.state during an
 * attempt.
 */
(function (global) {
  'use strict';

  // ---- The protocol's numbers (PROTOCOL.md) -------------------------------------------------------------------

  const DEFAULT_PORT = 7779;
  const WHOLE_ROOM = '*';
  const BACKOFF_BASE_MS = 500;
  const BACKOFF_CAP_MS = 30000;
  const BACKOFF_RESET_AFTER_MS = 10000;  // a granted session this long restarts the backoff
  const ATTEMPT_TIMEOUT_MS = 10000;      // WebSocket handshake plus the gateway's answer to connect
  const MAX_TEXT_SCALARS = 4096;
  const MAX_HISTORY = 500;
  const DEFAULT_HISTORY = 50;
  const REMEMBERED_IDS = 4096;           // message ids and own nonces remembered to recognise them after a resume
  const FINAL_CLOSE_REASONS = ['replaced', 'kicked', 'client'];  // a CONNECTION_CLOSED never retried

  const ConnectionState = Object.freeze({
    ACCESS_GRANTED: 'ACCESS_GRANTED',
    ACCESS_DENIED: 'ACCESS_DENIED',
    CONNECTION_FAILED: 'CONNECTION_FAILED',
    CONNECTION_CLOSED: 'CONNECTION_CLOSED',
    CONNECTING: 'CONNECTING'
  });

  // ---- Small helpers ----------------------------------------------------------------------------------------

  function isPlainObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  /** Freezes a parsed JSON value and everything in it, so a page cannot change what the library compares. */
  function deepFreeze(value) {
    if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
      Object.freeze(value);
      Object.keys(value).forEach(function (key) { deepFreeze(value[key]); });
    }
    return value;
  }

  /** A JSON rendering with object keys sorted, to tell whether two property objects are the same. */
  function canonicalJSON(value) {
    if (Array.isArray(value)) return '[' + value.map(canonicalJSON).join(',') + ']';
    if (isPlainObject(value)) {
      return '{' + Object.keys(value).sort().map(function (key) {
        return JSON.stringify(key) + ':' + canonicalJSON(value[key]);
      }).join(',') + '}';
    }
    return JSON.stringify(value);
  }

  /** A copy of properties without the keys equal to "password" ignoring case (as the gateway shows them to others). */
  function withoutPasswords(properties) {
    const copy = {};
    Object.keys(properties).forEach(function (key) {
      if (key.toLowerCase() !== 'password') copy[key] = properties[key];
    });
    return copy;
  }

  /** A random message nonce: 128 bits as 32 hex digits (crypto.getRandomValues works on http: pages too). */
  function randomNonce() {
    const bytes = new Uint8Array(16);
    global.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  /** A set that keeps only its newest `capacity` entries. */
  class RecentSet {
    constructor(capacity) {
      this.capacity = capacity;
      this.items = new Set();
    }
    /** Adds value; false when it was already there. */
    add(value) {
      if (this.items.has(value)) return false;
      this.items.add(value);
      if (this.items.size > this.capacity) this.items.delete(this.items.values().next().value);
      return true;
    }
    has(value) {
      return this.items.has(value);
    }
  }

  // ---- Server addresses -------------------------------------------------------------------------------------

  /** An invalid argument to connect(): reported, not thrown, by connect(). */
  class ArgumentProblem extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  function badAddress(message) {
    return new ArgumentProblem('BAD_ADDRESS', message);
  }

  function parsePort(text) {
    if (!/^[0-9]+$/.test(text)) throw badAddress('the port must be a number from 1 to 65535, not "' + text + '"');
    const port = Number(text);
    if (port < 1 || port > 65535) throw badAddress('the port must be from 1 to 65535, not ' + text);
    return port;
  }

  function isIPv6(text) {
    try {
      new URL('ws://[' + text + ']/');
      return true;
    } catch (error) {
      return false;
    }
  }

  /** Splits HOST, HOST:PORT, [IPv6], [IPv6]:PORT or a bare IPv6 address into a URL host and a port. */
  function splitAuthority(authority) {
    if (authority === '') throw badAddress('the server address has no host');
    if (authority.charAt(0) === '[') {
      const close = authority.indexOf(']');
      if (close < 0) throw badAddress('the IPv6 address misses its closing ]');
      const after = authority.slice(close + 1);
      if (after !== '' && after.charAt(0) !== ':') throw badAddress('unexpected "' + after + '" after the IPv6 address');
      return { host: authority.slice(0, close + 1), port: after === '' ? DEFAULT_PORT : parsePort(after.slice(1)) };
    }
    const colons = authority.split(':').length - 1;
    if (colons === 0) return { host: authority, port: DEFAULT_PORT };
    if (colons === 1) {
      const colon = authority.indexOf(':');
      if (colon === 0) throw badAddress('the server address has no host');
      return { host: authority.slice(0, colon), port: parsePort(authority.slice(colon + 1)) };
    }
    // Several colons: a bare IPv6 address, accepted only when it cannot be read as an address plus a port
    // (::1 and fe80::1 can't; ::1:7779 can, and must be written [::1]:7779 or [::1:7779]).
    const last = authority.lastIndexOf(':');
    const head = authority.slice(0, last);
    const tail = authority.slice(last + 1);
    if (/^[0-9]{1,5}$/.test(tail) && Number(tail) >= 1 && Number(tail) <= 65535 && isIPv6(head)) {
      throw badAddress('write [' + head + ']:' + tail + ' for a port, or [' + authority + '] for the address');
    }
    return { host: '[' + authority + ']', port: DEFAULT_PORT };
  }

  /** The WebSocket URL for a server address written as PROTOCOL.md allows; throws an ArgumentProblem. */
  function serverUrl(serverAddress, pageUrl) {
    if (typeof serverAddress !== 'string') throw badAddress('the server address must be a string');
    const text = serverAddress.trim();
    if (text === '') throw badAddress('the server address is empty');
    if (/[\s\u0000-\u001f\u007f-\u009f]/.test(text)) {
      throw badAddress('the server address contains white space or a control character');
    }
    let scheme;
    let rest = text;
    const written = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
    if (written) {
      scheme = written[1].toLowerCase();
      if (scheme !== 'ws' && scheme !== 'wss') throw badAddress('unsupported scheme ' + written[1] + '://: use ws:// or wss://');
      rest = text.slice(written[0].length);
    } else {
      const page = pageUrl !== undefined ? new URL(pageUrl) : global.location;
      scheme = page && page.protocol === 'https:' ? 'wss' : 'ws';
    }
    if (/[?#]/.test(rest)) throw badAddress('a server address has no query or fragment');
    const slash = rest.indexOf('/');
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '/' : rest.slice(slash);
    if (authority.indexOf('@') >= 0) throw badAddress('a server address has no user name');
    const where = splitAuthority(authority);
    try {
      return new URL(scheme + '://' + where.host + ':' + where.port + path).href;
    } catch (error) {
      throw badAddress('"' + where.host + '" is not a valid host name or address');
    }
  }

  // ---- Listeners and the event queue ------------------------------------------------------------------------

  const listeners = { state: [], connecting: [], client: [], message: [], error: [] };

  function subscribe(kind, method, callback) {
    if (typeof callback !== 'function') {
      throw new TypeError('OzWebClient.' + method + ' needs a function, not ' + (callback === null ? 'null' : typeof callback));
    }
    const list = listeners[kind];
    if (list.indexOf(callback) < 0) list.push(callback);
    return function unsubscribe() {
      const at = list.indexOf(callback);
      if (at >= 0) list.splice(at, 1);
    };
  }

  // Events are queued while the library handles something and delivered once it is done (see `entry`), so a
  // callback always finds the library in a consistent state, and a callback that calls connect() or disconnect()
  // has that call's events delivered after the ones already queued, in order.
  let queue = [];
  let draining = false;

  function emit(kind) {
    queue.push({ kind: kind, args: Array.prototype.slice.call(arguments, 1) });
  }

  function drain() {
    if (draining) return;
    draining = true;
    try {
      for (let next = 0; next < queue.length; next++) {
        const event = queue[next];
        listeners[event.kind].slice().forEach(function (callback) {
          try {
            callback.apply(undefined, event.args);
          } catch (error) {
            console.error('OzWebClient: a callback threw', error);
          }
        });
      }
    } finally {
      queue = [];
      draining = false;
    }
  }

  /** Wraps a function the page or the browser calls, so that it delivers the events it queued when it returns. */
  function entry(handler) {
    return function () {
      try {
        return handler.apply(this, arguments);
      } finally {
        drain();
      }
    };
  }

  function reportError(code, message, about) {
    const error = { code: code, message: message };
    if (about) {
      error.nonce = about.nonce;
      error.text = about.text;
      error.to = about.to;
    }
    emit('error', Object.freeze(error));
  }

  // ---- Session state ----------------------------------------------------------------------------------------

  // phase: 'idle' (nothing to do: before connect(), after disconnect()), 'opening' (WebSocket handshake),
  // 'awaiting' (connect sent, waiting for connectionState), 'granted', 'waiting' (a retry is scheduled),
  // 'stopped' (denied, replaced, kicked or a failure that is not retried: waiting for the page to connect()).
  let phase = 'idle';
  let state = null;
  let request = null;        // the latest connect(): { url, token, properties, roomKey }
  let socket = null;         // the WebSocket of the current attempt or session; events from any other are ignored
  let attemptTimer = null;
  let retryTimer = null;
  let retryAt = null;
  let retries = 0;           // automatic retries since the backoff was last restarted: the backoff's exponent
  let grantedAt = 0;
  let me = null;             // our own ClientInfo while granted
  let room = null;
  let members = new Map();   // phoneNumber → { info: ClientInfo, key: canonicalJSON(properties) }

  // History and resume (OzWire v1.1), for the room of request.roomKey.
  let cursor = null;         // the id of the last room message seen
  let seen = new RecentSet(REMEMBERED_IDS);
  let asked = null;          // what this attempt's connect asked for: { since: id } or { history: n }
  let awaitingGrantPage = false;
  let settled = false;       // after the grant, our waiting messages were sent or confirmed: new ones go out at once
  let pending = [];          // our messages not yet echoed, oldest first: { nonce, to, text, sent }
  const ownNonces = new RecentSet(REMEMBERED_IDS);

  function clientInfo(phoneNumber, status, properties) {
    const props = deepFreeze(isPlainObject(properties) ? properties : {});
    return Object.freeze({
      phoneNumber: phoneNumber,
      status: status,
      properties: props,
      nickname: typeof props.Nickname === 'string' && props.Nickname !== '' ? props.Nickname : phoneNumber,
      avatar: typeof props.Avatar === 'string' && props.Avatar !== '' ? props.Avatar : null
    });
  }

  function validClientInfo(entry) {
    return isPlainObject(entry) && typeof entry.phoneNumber === 'string' &&
      (entry.status === 'ONLINE' || entry.status === 'OFFLINE');
  }

  function validMessage(frame) {
    return isPlainObject(frame) && typeof frame.id === 'string' && typeof frame.from === 'string' &&
      typeof frame.to === 'string' && typeof frame.text === 'string' && typeof frame.ts === 'string';
  }

  function historySize() {
    const size = Math.floor(Number(OzWebClient.historySize));
    return Number.isFinite(size) ? Math.min(Math.max(size, 0), MAX_HISTORY) : DEFAULT_HISTORY;
  }

  function sendFrame(frame) {
    socket.send(JSON.stringify(frame));
  }

  /** Forgets the current socket (its late events are ignored) and closes it; clears the attempt timeout. */
  function dropSocket() {
    clearTimeout(attemptTimer);
    attemptTimer = null;
    if (socket === null) return;
    const ws = socket;
    socket = null;
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
  }

  function cancelRetry() {
    clearTimeout(retryTimer);
    retryTimer = null;
    retryAt = null;
  }

  /** Reports OFFLINE for every member still known and forgets them. */
  function forgetMembers() {
    const gone = Array.from(members.values());
    members = new Map();
    gone.forEach(function (member) {
      emit('client', clientInfo(member.info.phoneNumber, 'OFFLINE', member.info.properties));
    });
  }

  /** Reports every message of ours still waiting for its echo as not delivered, and forgets them. */
  function abandonPending(why) {
    const dropped = pending;
    pending = [];
    dropped.forEach(function (message) { reportError('NOT_DELIVERED', why, message); });
  }

  /** The session is over for good (no retry): members go OFFLINE, waiting messages are given up. */
  function endForGood() {
    me = null;
    room = null;
    forgetMembers();
    abandonPending('the session ended before the gateway confirmed this message');
  }

  // ---- Connecting -------------------------------------------------------------------------------------------

  function startAttempt(attempt) {
    phase = 'opening';
    state = ConnectionState.CONNECTING;
    settled = false;
    awaitingGrantPage = false;
    retryAt = null;
    let ws;
    try {
      ws = new WebSocket(request.url);
    } catch (error) {
      // A SecurityError (e.g. ws:// from an https: page, or a blocked port): a retry would fail the same way.
      attemptFailed('cannot open ' + request.url + ': ' + error.message, false);
      return;
    }
    socket = ws;
    ws.onopen = entry(function () { if (ws === socket) opened(); });
    ws.onmessage = entry(function (event) { if (ws === socket) received(event.data); });
    ws.onclose = entry(function (event) { if (ws === socket) socketClosed(event); });
    attemptTimer = setTimeout(entry(function () {
      if (ws === socket) attemptFailed('no answer from ' + request.url + ' within ' + ATTEMPT_TIMEOUT_MS / 1000 + ' s', true);
    }), ATTEMPT_TIMEOUT_MS);
    emit('connecting', attempt, request.url);
  }

  function opened() {
    phase = 'awaiting';
    // The first connect to a room asks for its newest messages; a later one for everything since the last one seen.
    if (cursor !== null) {
      asked = { since: cursor };
    } else if (pending.some(function (m) { return m.sent && m.to === WHOLE_ROOM; })) {
      // A message of ours caught by a drop can only be found among the newest: ask for as many as allowed.
      asked = { history: MAX_HISTORY };
    } else {
      asked = { history: historySize() };
    }
    const frame = { type: 'connect', token: request.token, properties: request.properties };
    if (asked.since !== undefined) frame.since = asked.since;
    else frame.history = asked.history;
    sendFrame(frame);
  }

  /** The socket closed without a connectionState frame explaining why. */
  function socketClosed(event) {
    const detail = 'close code ' + event.code + (event.reason ? ', ' + event.reason : '');
    if (phase === 'granted') sessionEnded('lost (' + detail + ')', true);
    else attemptFailed('cannot reach ' + request.url + ' (' + detail + ')', true);
  }

  /** An attempt ended before a grant. */
  function attemptFailed(reason, retry) {
    dropSocket();
    state = ConnectionState.CONNECTION_FAILED;
    if (retry) scheduleRetry();
    else phase = 'stopped';
    emit('state', state, reason);
    if (!retry) endForGood();
  }

  /** A granted session ended. */
  function sessionEnded(reason, retry) {
    dropSocket();
    state = ConnectionState.CONNECTION_CLOSED;
    if (Date.now() - grantedAt >= BACKOFF_RESET_AFTER_MS) retries = 0;
    if (retry) scheduleRetry();
    else phase = 'stopped';
    emit('state', state, reason);
    if (!retry) endForGood();
  }

  /** Full-jitter exponential backoff: a delay drawn uniformly from 0…min(cap, base·2^retries). */
  function scheduleRetry() {
    const delay = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * Math.pow(2, retries));
    retries += 1;
    const attempt = retries;
    phase = 'waiting';
    retryAt = new Date(Date.now() + delay);
    retryTimer = setTimeout(entry(function () {
      retryTimer = null;
      if (phase === 'waiting') startAttempt(attempt);
    }), delay);
  }

  // ---- Frames from the gateway ------------------------------------------------------------------------------

  function received(data) {
    if (typeof data !== 'string') return;  // the gateway sends text frames only
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      console.warn('OzWebClient: ignoring a frame that is not JSON');
      return;
    }
    if (!isPlainObject(frame)) return;
    // The grant-time history frame comes right after ACCESS_GRANTED or not at all.
    if (awaitingGrantPage && frame.type !== 'history') settle(null);
    switch (frame.type) {
      case 'connectionState': connectionState(frame); break;
      case 'clientStateChanged': if (phase === 'granted') presence(frame.clients); break;
      case 'message': if (phase === 'granted') liveMessage(frame); break;
      case 'history': if (awaitingGrantPage) grantPage(frame); break;
      case 'error': gatewayError(frame); break;
      default: break;  // unknown frame types are ignored (forward compatibility)
    }
  }

  function connectionState(frame) {
    const reason = typeof frame.reason === 'string' ? frame.reason : undefined;
    const final = FINAL_CLOSE_REASONS.indexOf(reason) >= 0;
    switch (frame.state) {
      case 'ACCESS_GRANTED':
        if (phase === 'awaiting') granted(frame);
        break;
      case 'ACCESS_DENIED':
        dropSocket();
        phase = 'stopped';
        state = ConnectionState.ACCESS_DENIED;
        emit('state', state, reason);
        endForGood();
        break;
      case 'CONNECTION_CLOSED':
        if (phase === 'granted') sessionEnded(reason, !final);
        else attemptFailed(reason, !final);  // not expected before a grant; counts as a failed attempt
        break;
      default:
        break;
    }
  }

  function granted(frame) {
    clearTimeout(attemptTimer);
    attemptTimer = null;
    phase = 'granted';
    grantedAt = Date.now();
    state = ConnectionState.ACCESS_GRANTED;
    me = clientInfo(String(frame.phoneNumber), 'ONLINE', withoutPasswords(request.properties));
    room = typeof frame.room === 'string' ? frame.room : null;
    emit('state', state);
    applySnapshot(Array.isArray(frame.clients) ? frame.clients : []);
    const expectsPage = frame.history === true && (asked.since !== undefined || asked.history > 0);
    if (expectsPage) awaitingGrantPage = true;
    else settle(null);
  }

  /** Replaces the members with a grant's snapshot, reporting only the differences (all of it after connect()). */
  function applySnapshot(clients) {
    const next = new Map();
    clients.forEach(function (entry) {
      if (validClientInfo(entry) && entry.status === 'ONLINE') next.set(entry.phoneNumber, entry.properties);
    });
    const changes = [];
    members.forEach(function (member, phoneNumber) {
      if (!next.has(phoneNumber)) changes.push(clientInfo(phoneNumber, 'OFFLINE', member.info.properties));
    });
    const updated = new Map();
    next.forEach(function (properties, phoneNumber) {
      const key = canonicalJSON(isPlainObject(properties) ? properties : {});
      const known = members.get(phoneNumber);
      if (known && known.key === key) {
        updated.set(phoneNumber, known);
        return;
      }
      const info = clientInfo(phoneNumber, 'ONLINE', properties);
      updated.set(phoneNumber, { info: info, key: key });
      changes.push(info);
    });
    members = updated;
    changes.forEach(function (info) { emit('client', info); });
  }

  /** clientStateChanged: ONLINE adds or updates, OFFLINE removes; an entry that changes nothing is not reported. */
  function presence(clients) {
    if (!Array.isArray(clients)) return;
    clients.forEach(function (entry) {
      if (!validClientInfo(entry)) return;
      const known = members.get(entry.phoneNumber);
      if (entry.status === 'ONLINE') {
        const key = canonicalJSON(isPlainObject(entry.properties) ? entry.properties : {});
        if (known && known.key === key) return;
        const info = clientInfo(entry.phoneNumber, 'ONLINE', entry.properties);
        members.set(entry.phoneNumber, { info: info, key: key });
        emit('client', info);
      } else if (known) {
        members.delete(entry.phoneNumber);
        const properties = isPlainObject(entry.properties) ? entry.properties : known.info.properties;
        emit('client', clientInfo(entry.phoneNumber, 'OFFLINE', properties));
      }
    });
  }

  function liveMessage(frame) {
    if (!validMessage(frame)) return;
    if (typeof frame.nonce === 'string') {
      pending = pending.filter(function (m) { return m.nonce !== frame.nonce; });  // its echo
    }
    if (frame.to === WHOLE_ROOM) {
      cursor = frame.id;
      if (!seen.add(frame.id)) return;
    }
    emit('message', chatMessage(frame, false));
  }

  /** The grant-time history frame: stored messages said before we joined, or since the last one we saw. */
  function grantPage(frame) {
    const messages = Array.isArray(frame.messages) ? frame.messages.filter(validMessage) : [];
    if (asked.since !== undefined && frame.complete === false) {
      reportError('GAP', 'some messages were missed while the connection was down');
    }
    messages.forEach(function (message) {
      if (seen.add(message.id)) emit('message', chatMessage(message, true));
    });
    if (messages.length > 0) cursor = messages[messages.length - 1].id;
    settle(messages);
  }

  /**
   * After a grant, sends our waiting messages, in order. A room message that went out on a lost socket is looked up
   * (by its nonce) in the grant-time history, `page`: found, the gateway took it and it was just delivered as history;
   * not found, it is sent again, once. Without a page (a gateway keeping no history) it cannot be told apart from
   * one the gateway took, so it is given up rather than risk a double; so is a private message caught by a drop.
   */
  function settle(page) {
    settled = true;
    awaitingGrantPage = false;
    const accepted = new Set();
    (page || []).forEach(function (m) { if (typeof m.nonce === 'string') accepted.add(m.nonce); });
    const kept = [];
    pending.forEach(function (message) {
      if (message.to === WHOLE_ROOM && accepted.has(message.nonce)) return;
      if (message.sent && message.to !== WHOLE_ROOM) {
        reportError('NOT_DELIVERED', 'the connection dropped before the gateway confirmed this private message', message);
      } else if (message.sent && page === null) {
        reportError('NOT_DELIVERED', 'the connection dropped before the gateway confirmed this message, and the ' +
          'gateway keeps no history to check', message);
      } else {
        transmit(message);
        kept.push(message);
      }
    });
    pending = kept;
  }

  function transmit(message) {
    message.sent = true;
    sendFrame({ type: 'message', to: message.to, text: message.text, nonce: message.nonce });
  }

  function gatewayError(frame) {
    const code = typeof frame.code === 'string' ? frame.code : 'ERROR';
    const text = typeof frame.message === 'string' ? frame.message : code;
    let about = null;
    if (typeof frame.nonce === 'string') {
      // An error about one of our messages (an ozgate extension): it was not sent, stop waiting for its echo.
      about = pending.find(function (m) { return m.nonce === frame.nonce; }) || null;
      pending = pending.filter(function (m) { return m.nonce !== frame.nonce; });
    }
    reportError(code, text, about);
  }

  function memberInfo(phoneNumber) {
    if (me && phoneNumber === me.phoneNumber) return me;
    const member = members.get(phoneNumber);
    return member ? member.info : null;
  }

  function chatMessage(frame, fromHistory) {
    const nonce = typeof frame.nonce === 'string' ? frame.nonce : null;
    const own = (nonce !== null && ownNonces.has(nonce)) || (me !== null && frame.from === me.phoneNumber);
    let sender;
    if (isPlainObject(frame.fromProperties)) {
      sender = clientInfo(frame.from, memberInfo(frame.from) ? 'ONLINE' : 'OFFLINE', frame.fromProperties);
    } else {
      sender = memberInfo(frame.from);
    }
    const isPrivate = frame.to !== WHOLE_ROOM;
    return Object.freeze({
      id: frame.id,
      from: frame.from,
      to: frame.to,
      text: frame.text,
      ts: new Date(frame.ts),
      nonce: nonce,
      private: isPrivate,
      own: own,
      history: fromHistory,
      sender: sender,
      nickname: sender ? sender.nickname : frame.from,
      recipient: isPrivate ? memberInfo(frame.to) : null
    });
  }

  // ---- The public API ---------------------------------------------------------------------------------------

  function connect(serverAddress, token, properties) {
    // End what is going on: a granted session says goodbye; its members go OFFLINE.
    if (phase === 'granted') {
      sendFrame({ type: 'disconnect' });
      dropSocket();
      state = ConnectionState.CONNECTION_CLOSED;
      emit('state', state, 'client');
    } else {
      dropSocket();
    }
    cancelRetry();
    me = null;
    room = null;
    forgetMembers();

    let url;
    let props;
    try {
      url = serverUrl(serverAddress);
      if (typeof token !== 'string' || token === '') throw new ArgumentProblem('BAD_TOKEN', 'the token must be a non-empty string');
      if (properties !== undefined && properties !== null && !isPlainObject(properties)) {
        throw new ArgumentProblem('BAD_PROPERTIES', 'properties must be a plain object');
      }
      props = JSON.parse(JSON.stringify(properties || {}));  // our own copy, and a check that it is JSON
    } catch (problem) {
      const code = problem instanceof ArgumentProblem ? problem.code : 'BAD_PROPERTIES';
      request = null;
      phase = 'stopped';
      state = ConnectionState.CONNECTION_FAILED;
      reportError(code, problem.message);
      emit('state', state, problem.message);
      abandonPending('the session ended before the gateway confirmed this message');
      return;
    }

    const roomKey = url + '\n' + token;
    if (request === null || request.roomKey !== roomKey) {
      // Another room: its history cursor and our messages waiting for it no longer apply.
      cursor = null;
      seen = new RecentSet(REMEMBERED_IDS);
      abandonPending('you connected to another room before the gateway confirmed this message');
    }
    request = { url: url, token: token, properties: props, roomKey: roomKey };
    retries = 0;
    startAttempt(0);
  }

  function disconnect() {
    if (phase === 'idle' || phase === 'stopped') return;
    if (phase === 'granted') sendFrame({ type: 'disconnect' });
    dropSocket();
    cancelRetry();
    phase = 'idle';
    state = ConnectionState.CONNECTION_CLOSED;
    emit('state', state, 'client');
    endForGood();
  }

  function sendMessage(text, to) {
    if (typeof text !== 'string') throw new TypeError('OzWebClient.sendMessage needs the text as a string');
    let recipient = WHOLE_ROOM;
    if (isPlainObject(to) && typeof to.phoneNumber === 'string') recipient = to.phoneNumber;
    else if (typeof to === 'string' && to !== '') recipient = to;
    else if (to !== undefined && to !== null) {
      throw new TypeError('OzWebClient.sendMessage: "to" must be a phoneNumber, a ClientInfo or left out');
    }
    const length = Array.from(text).length;
    if (length === 0 || length > MAX_TEXT_SCALARS) {
      reportError('BAD_FRAME', 'a message must have 1 to ' + MAX_TEXT_SCALARS + ' characters, this one has ' + length);
      return null;
    }
    if (phase === 'idle' || phase === 'stopped') {
      reportError('NOT_CONNECTED', 'not connected: connect first');
      return null;
    }
    if (recipient !== WHOLE_ROOM && phase !== 'granted') {
      // Room messages wait through a reconnect; a private one does not (its recipient may be gone by then).
      reportError('NOT_CONNECTED', 'the connection is down: a private message is sent only while connected');
      return null;
    }
    const message = { nonce: randomNonce(), to: recipient, text: text, sent: false };
    ownNonces.add(message.nonce);
    pending.push(message);
    if (phase === 'granted' && settled) transmit(message);
    return message.nonce;
  }

  const OzWebClient = {
    connect: entry(connect),
    disconnect: entry(disconnect),
    sendMessage: entry(sendMessage),
    onConnectionStateChanged: function (callback) { return subscribe('state', 'onConnectionStateChanged', callback); },
    onConnecting: function (callback) { return subscribe('connecting', 'onConnecting', callback); },
    onClientStateChanged: function (callback) { return subscribe('client', 'onClientStateChanged', callback); },
    onMessageReceived: function (callback) { return subscribe('message', 'onMessageReceived', callback); },
    onErrorOccured: function (callback) { return subscribe('error', 'onErrorOccured', callback); },
    serverUrl: function (serverAddress, pageUrl) {
      try {
        return serverUrl(serverAddress, pageUrl);
      } catch (problem) {
        throw new Error(problem.message);
      }
    },
    historySize: DEFAULT_HISTORY,
    get state() { return state; },
    get phoneNumber() { return me ? me.phoneNumber : null; },
    get room() { return room; },
    get retryAt() { return retryAt ? new Date(retryAt.getTime()) : null; },
    get clients() { return Array.from(members.values(), function (member) { return member.info; }); }
  };

  global.OzWebClient = OzWebClient;
  global.ConnectionState = ConnectionState;
})(globalThis);
