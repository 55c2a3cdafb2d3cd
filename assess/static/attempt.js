/* The running attempt: autosave with a durable queue, save state, countdown from the server.
 *
 * Every page works without this file (plain form posts). With it:
 * - each edit is queued in localStorage (keyed per attempt) at once, then sent; an
 *   entry leaves the queue only once the server has answered for it, and the page
 *   says "Saved" only when the server answered {"saved": true}: after the commit,
 *   and only if that answer is the stored one (Invariant 4), so a reload, a closed
 *   tab or a lost network never drops an answer the candidate was not told was saved;
 * - the server orders saves, not this browser's clock: each save names this tab's
 *   device id, its edit number (a counter) and the stored revision the edit was made
 *   on. Within a tab the last edit wins; a save made on a revision that another
 *   window or device has since replaced is refused as a conflict, and the page then
 *   shows the stored answer and says so in words;
 * - the countdown only displays the server's seconds_left, re-synced on every status
 *   poll, so time granted by staff appears without a reload and the browser's own
 *   clock never decides anything (Invariant 1);
 * - on an item page it notes what the start page says is recorded: when the page loses
 *   focus or is hidden and for how long, the size of each paste into an answer (never
 *   its text), and how long the item was on screen; they are sent to the server as
 *   "milliseconds ago", so this browser's clock never dates them.
 */
(function () {
  "use strict";

  var root = document.getElementById("attempt");
  if (!root) {
    return;
  }
  var data = root.dataset;
  var itemForm = document.getElementById("item-form");
  var submitForm = document.getElementById("submit-form");
  var position = itemForm ? String(data.position) : null;
  var prefix = data.fieldPrefix || "";
  var saveState = document.getElementById("save-state");
  var announcer = document.getElementById("time-announcer");
  var timeLeft = document.getElementById("time-left");
  var errorBox = document.getElementById("answer-error");
  var revisionInput = document.getElementById("answer-revision");
  var deviceInput = document.getElementById("answer-device");
  var editInput = document.getElementById("answer-edit");

  var pollMs = Number(data.pollSeconds) * 1000;
  var retryMs = Number(data.retrySeconds) * 1000;
  var saveDelayMs = Number(data.saveDelayMs);

  /* ---- the queue: {position: {seq, fields}}, the newest unsent edit per item ---- */

  var memoryQueue = {};

  function readQueue() {
    try {
      var raw = window.localStorage.getItem(data.queueKey);
      return raw ? JSON.parse(raw) : {};
    } catch (e) {
      // Private modes may refuse storage; the queue then lives as long as the page.
      return memoryQueue;
    }
  }

  function writeQueue(queue) {
    memoryQueue = queue;
    try {
      window.localStorage.setItem(data.queueKey, JSON.stringify(queue));
    } catch (e) {
      /* memoryQueue keeps it */
    }
  }

  function queuedCount() {
    return Object.keys(readQueue()).length;
  }

  /* ---- this tab's identity: a device id and an edit counter, kept across reloads ---- */

  var memoryTab = {};

  function tabValue(name, make) {
    var key = name + ":" + data.queueKey;
    try {
      var value = window.sessionStorage.getItem(key);
      if (value === null) {
        value = make();
        window.sessionStorage.setItem(key, value);
      }
      return value;
    } catch (e) {
      if (!(key in memoryTab)) {
        memoryTab[key] = make();
      }
      return memoryTab[key];
    }
  }

  function setTabValue(name, value) {
    var key = name + ":" + data.queueKey;
    memoryTab[key] = value;
    try {
      window.sessionStorage.setItem(key, value);
    } catch (e) {
      /* memoryTab keeps it */
    }
  }

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var device = tabValue("assess-device", randomId);
  var memoryEdit = 0;

  function nextEdit() {
    // Counted per browser, not per tab: a duplicated tab copies this tab's device id,
    // and must still never reuse one of its edit numbers.
    var key = "assess-edit:" + data.queueKey;
    var edit = memoryEdit + 1;
    try {
      edit = Math.max(edit, Number(window.localStorage.getItem(key) || 0) + 1);
      window.localStorage.setItem(key, String(edit));
    } catch (e) {
      /* memoryEdit keeps it */
    }
    memoryEdit = edit;
    return edit;
  }

  // The stored revision this page's item is known to be at: the base of the next edit.
  var revision = Number(data.revision || 0);

  function isSameEntry(a, b) {
    return a && b && a.device === b.device && a.edit === b.edit;
  }

  /* ---- the item's fields as the form would post them ---- */

  function ownFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name.indexOf(prefix) === 0 && !el.disabled;
    });
  }

  // The answer the form holds now, or, ``asServed``, the one the server's page held (what the
  // browser shows before anyone touches it: a list without a marked option shows its first).
  function collectFields(form, asServed) {
    var fields = {};
    ownFields(form).forEach(function (el) {
      var values = fields[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") {
        if (asServed ? el.defaultChecked : el.checked) {
          values.push(el.value);
        }
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (option) {
          if (asServed ? option.defaultSelected : option.selected) {
            values.push(option.value);
          }
        });
      } else if (el.type === "select-one" && asServed) {
        var served = Array.prototype.filter.call(el.options, function (option) {
          return option.defaultSelected;
        })[0] || el.options[0];
        values.push(served ? served.value : "");
      } else if (el.type !== "submit" && el.type !== "button") {
        values.push(asServed ? el.defaultValue : el.value);
      }
      if (values.length) {
        fields[el.name] = values;
      }
    });
    return fields;
  }

  // Whether the candidate changed the answer before this script ran (a slow connection, a quick
  // hand) or the browser restored typed values on reload: no input event told this page so.
  function changedSinceServed(form) {
    return JSON.stringify(collectFields(form)) !== JSON.stringify(collectFields(form, true));
  }

  function applyFields(form, fields) {
    var seen = {};
    ownFields(form).forEach(function (el) {
      var values = fields[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values.indexOf(el.value) >= 0;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else if (el.type !== "submit" && el.type !== "button") {
        var index = seen[el.name] || 0;
        el.value = index < values.length ? values[index] : "";
        seen[el.name] = index + 1;
      }
    });
  }

  /* ---- what the candidate is told about saving ---- */

  var offline = !navigator.onLine;
  var savedHere = false;
  var rejected = null;
  var conflictNotice = data.conflictNotice || "";
  var KEPT_ELSEWHERE = "a newer answer from another window or device was kept";
  var shownByServer = saveState ? saveState.textContent : "";

  function showSaveState() {
    if (!saveState) {
      return;
    }
    var queue = readQueue();
    var waiting = Object.keys(queue).length;
    var text;
    if (offline && waiting) {
      text = "Offline — " + waiting + (waiting === 1 ? " answer" : " answers") +
        " queued, they will be sent when the connection returns";
    } else if (rejected) {
      text = "Not saved: " + rejected;
    } else if (position !== null && queue[position]) {
      text = "Not saved yet";
    } else if (waiting) {
      text = "Not saved yet: " + waiting + (waiting === 1 ? " answer is" : " answers are") + " being sent";
    } else if (savedHere) {
      text = "Saved";
    } else {
      // Nothing waiting and nothing saved from this page yet: what the server said of the page.
      text = shownByServer;
    }
    if (saveState.textContent !== text) {
      saveState.textContent = text;
    }
    saveState.classList.toggle("is-pending", text !== "Saved" && text !== shownByServer);
  }

  function showError(message) {
    rejected = message;
    if (errorBox) {
      errorBox.textContent = message ? "Your answer was not saved: " + message : "";
    }
  }

  function markAnswered(pos, answered) {
    var button = document.querySelector('.item-list [data-item="' + pos + '"] .answer-state');
    if (button) {
      button.textContent = answered ? "(answered)" : "(not answered)";
    }
  }

  /* ---- sending ---- */

  // The flush under way, if any: a caller that must know the queue was sent (Submit) waits for it.
  var flushing = null;
  var flushAgain = false;
  var closing = false;

  function dropIfUnchanged(pos, entry) {
    var queue = readQueue();
    if (isSameEntry(queue[pos], entry)) {
      delete queue[pos];
      writeQueue(queue);
    }
  }

  function learnRevision(pos, stored) {
    if (pos === position && stored > revision) {
      revision = stored;
    }
  }

  function refusedHere(pos) {
    if (pos === position) {
      // Show the stored answer, not this tab's: the page is rebuilt from the server.
      setTabValue("assess-conflict", pos);
      closing = true;
      window.location.reload();
      return;
    }
    rejected = "item " + pos + ": " + KEPT_ELSEWHERE;
  }

  function onConflict(pos, entry, reply) {
    // This edit, and any queued edit of this item made on an older revision, is refused.
    var queue = readQueue();
    if (queue[pos] && (isSameEntry(queue[pos], entry) || queue[pos].base < reply.revision)) {
      delete queue[pos];
      writeQueue(queue);
    }
    if (entry.device !== device) {
      // Any tab sends the shared queue; the refusal is news for the tab that made the edit.
      tellOwner(entry, pos, { saved: false });
      return;
    }
    refusedHere(pos);
  }

  /* ---- what became of edits another tab of this browser sent for this one ---- */

  var outcomesKey = "assess-outcomes:" + data.queueKey;

  function readOutcomes() {
    try {
      return JSON.parse(window.localStorage.getItem(outcomesKey) || "{}");
    } catch (e) {
      return {};
    }
  }

  function writeOutcomes(outcomes) {
    try {
      window.localStorage.setItem(outcomesKey, JSON.stringify(outcomes));
    } catch (e) {
      /* without storage no other tab shares the queue either */
    }
  }

  function tellOwner(entry, pos, outcome) {
    var outcomes = readOutcomes();
    outcomes[entry.device] = outcomes[entry.device] || {};
    outcomes[entry.device][pos] = outcome;
    writeOutcomes(outcomes);
  }

  function takeOwnOutcomes(pageIsFresh) {
    var outcomes = readOutcomes();
    var mine = outcomes[device];
    if (!mine) {
      return;
    }
    delete outcomes[device];
    writeOutcomes(outcomes);
    Object.keys(mine).forEach(function (pos) {
      if (!mine[pos].saved && pageIsFresh && pos === position) {
        // This page was just built from the server: it already shows the answer that was kept.
        rejected = KEPT_ELSEWHERE;
        return;
      }
      if (!mine[pos].saved) {
        refusedHere(pos);
        return;
      }
      learnRevision(pos, mine[pos].revision);
      if (pos === position && !readQueue()[pos]) {
        savedHere = true;
        showError(null);
      }
    });
    showSaveState();
  }

  function send(pos, entry) {
    // The integrity observations waiting to be reported ride on the save: one request, one commit.
    var riding = takeRiding();
    return fetch(data.answersUrl + pos, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf },
      body: JSON.stringify({ base: entry.base, device: entry.device, edit: entry.edit, fields: entry.fields,
        observations: wireAll(riding) })
    }).then(function (response) {
      offline = false;
      if (response.status === 200) {
        return response.json().then(function (reply) {
          settleRiding(riding, reply);
          var current = isSameEntry(readQueue()[pos], entry);
          if (!reply.saved && current) {
            // Superseded although this tab made no later edit: another tab of this browser did.
            onConflict(pos, entry, reply);
            return "conflict";
          }
          // Saved, or superseded by this tab's own later edit: either way this entry is done.
          dropIfUnchanged(pos, entry);
          if (entry.device === device) {
            learnRevision(pos, reply.revision);
          } else if (reply.saved) {
            // Saved for another tab: that tab's page shows it, this one's may not.
            tellOwner(entry, pos, { saved: true, revision: reply.revision });
          }
          if (reply.saved && entry.device === device && pos === position && !readQueue()[pos]) {
            savedHere = true;
            showError(null);
          }
          markAnswered(pos, reply.answered);
          return "saved";
        });
      }
      if (response.status === 409 || response.status === 400 || response.status === 413) {
        return response.json().then(function (reply) {
          settleRiding(riding, reply);
          if (reply.conflict) {
            onConflict(pos, entry, reply);
            markAnswered(pos, reply.answered);
            return "conflict";
          }
          if (reply.reason) {
            // Input no page of ours sends (a lone surrogate pasted in): resending cannot help.
            dropIfUnchanged(pos, entry);
            if (pos === position) {
              showError(reply.reason);
            }
            return "rejected";
          }
          if (response.status === 400 && pos === position) {
            // The session behind this page's CSRF token has ended (cookies cleared, another
            // browser profile): a reload issues a new one, and the queue survives the reload.
            rejected = "reload this page to keep saving; your answers are kept in this browser until then";
          }
          return "retry";
        }, function () {
          return "retry";
        });
      }
      if (response.status === 422) {
        return response.json().then(function (reply) {
          // The server refused this answer as it stands; resending it cannot succeed.
          dropIfUnchanged(pos, entry);
          if (pos === position) {
            showError(reply.reason || reply.message);
          }
          return "rejected";
        });
      }
      if (response.status === 410) {
        writeQueue({});
        writeSignals([]);
        goToEnd();
        return "closed";
      }
      return "retry";
    }, function () {
      offline = true;
      return "offline";
    }).then(function (outcome) {
      if (riding.length) {
        reporting = false;
      }
      return outcome;
    });
  }

  function flush() {
    if (flushing) {
      // The run under way sends the queue again before it ends, this edit included.
      flushAgain = true;
      return flushing;
    }
    var run = function () {
      flushAgain = false;
      var queue = readQueue();
      var positions = Object.keys(queue);
      var chain = Promise.resolve("saved");
      positions.forEach(function (pos) {
        chain = chain.then(function (outcome) {
          if (outcome === "offline" || outcome === "closed") {
            return outcome;
          }
          return send(pos, queue[pos]);
        });
      });
      return chain.then(function (outcome) {
        showSaveState();
        if (flushAgain && outcome !== "offline" && outcome !== "closed") {
          return run();
        }
        return outcome;
      });
    };
    flushing = run().then(function (outcome) {
      flushing = null;
      showSaveState();
      return outcome;
    }, function () {
      flushing = null;
      showSaveState();
    });
    return flushing;
  }

  var saveTimer = null;

  function onEdit() {
    var queue = readQueue();
    queue[position] = { device: device, edit: nextEdit(), base: revision, fields: collectFields(itemForm) };
    writeQueue(queue);
    rejected = null;
    showSaveState();
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(flush, saveDelayMs);
  }

  if (itemForm) {
    var queue = readQueue();
    var queued = queue[position];
    var storedEdits = JSON.parse(data.storedEdits || "{}");
    if (queued && queued.edit <= (storedEdits[queued.device] || 0)) {
      // The server already holds this edit (or a later one of the same tab): a plain post
      // carried it on the way to this page. Nothing is waiting.
      delete queue[position];
      writeQueue(queue);
    } else if (queued) {
      // A newer answer than the page shows is still waiting (reload while offline).
      applyFields(itemForm, queued.fields);
    }
    if (tabValue("assess-conflict", function () { return ""; }) === position) {
      setTabValue("assess-conflict", "");
      rejected = KEPT_ELSEWHERE;
      if (errorBox) {
        errorBox.textContent = conflictNotice;
      }
    }
    itemForm.addEventListener("input", onEdit);
    itemForm.addEventListener("change", onEdit);
    if (!readQueue()[position] && changedSinceServed(itemForm)) {
      onEdit();
    }
    itemForm.addEventListener("submit", function (event) {
      if (!navigator.onLine) {
        // Offline the post would only show the browser's error page; keep the candidate here.
        event.preventDefault();
        offline = true;
        showSaveState();
        announce("You are offline. Your answer is kept in this browser; you can move on when the connection returns.");
        return;
      }
      window.clearTimeout(saveTimer);
      staying = true;
      // The post carries this answer as this tab's latest edit, so an older autosave
      // still in flight cannot overwrite it; the queue keeps it until the next page
      // shows the server holds it.
      var entry = { device: device, edit: nextEdit(), base: revision, fields: collectFields(itemForm) };
      var pending = readQueue();
      pending[position] = entry;
      writeQueue(pending);
      revisionInput.value = String(entry.base);
      deviceInput.value = entry.device;
      editInput.value = String(entry.edit);
    });
  }

  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      if (!queuedCount()) {
        // The submit is this page's last navigation: a status poll that sees the attempt
        // finished must not start another one and abort it.
        closing = true;
        return;
      }
      // Send what is still queued before the attempt is closed by the submit.
      event.preventDefault();
      flush().then(function () {
        if (queuedCount()) {
          showSaveState();
          announce("Some answers are not saved yet. Submit again when the connection returns.");
        } else {
          closing = true;
          submitForm.submit();
        }
      });
    });
  }

  window.addEventListener("online", function () {
    offline = false;
    flush();
  });
  window.addEventListener("offline", function () {
    offline = true;
    showSaveState();
  });
  window.setInterval(function () {
    if (queuedCount() && navigator.onLine) {
      flush();
    }
  }, retryMs);
  // Other tabs of the same attempt change the queue; keep this tab's message true.
  window.addEventListener("storage", function (event) {
    if (event.key === data.queueKey) {
      showSaveState();
    } else if (event.key === outcomesKey) {
      takeOwnOutcomes(false);
    }
  });
  takeOwnOutcomes(true);

  /* ---- time, always the server's ---- */

  var secondsLeft = Number(data.secondsLeft);
  var syncedAt = performance.now();
  var announced = { 300: secondsLeft <= 300, 60: secondsLeft <= 60 };

  function remaining() {
    return Math.max(0, Math.ceil(secondsLeft - (performance.now() - syncedAt) / 1000));
  }

  function announce(text) {
    if (announcer) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 50);
    }
  }

  function formatTime(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    var parts = [];
    if (hours) {
      parts.push(hours + " h");
    }
    if (hours || minutes) {
      parts.push(minutes + " min");
    }
    parts.push((rest < 10 && (hours || minutes) ? "0" : "") + rest + " s");
    return parts.join(" ");
  }

  function goToEnd() {
    if (closing) {
      return;
    }
    closing = true;
    var leave = function () { window.location.assign(data.doneUrl); };
    // Answers still queued get one last chance inside the grace period.
    var attempt = queuedCount() && navigator.onLine ? flush() : Promise.resolve();
    attempt.then(leave, leave);
  }

  function tick() {
    var left = remaining();
    if (timeLeft) {
      var text = formatTime(left);
      if (timeLeft.textContent !== text) {
        timeLeft.textContent = text;
      }
    }
    [300, 60].forEach(function (mark) {
      if (left > mark) {
        announced[mark] = false;
      } else if (!announced[mark] && left > 0) {
        announced[mark] = true;
        announce(mark === 300 ? "5 minutes left." : "1 minute left.");
      }
    });
  }

  var polling = false;

  function pollStatus() {
    if (polling || closing) {
      return;
    }
    polling = true;
    fetch(data.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        polling = false;
        if (!status) {
          return;
        }
        if (status.finished) {
          goToEnd();
          return;
        }
        var before = remaining();
        secondsLeft = status.seconds_left;
        syncedAt = performance.now();
        if (secondsLeft - before > 30) {
          announce("Extra time has been added. Time left: " + formatTime(secondsLeft) + ".");
        }
        tick();
      }, function () {
        polling = false;
      });
  }

  /* ---- what the start page says is recorded: focus lapses, paste sizes, time on the item ---- */

  // The 0-based slot on screen; the review page shows no item, so it only sends what is left.
  var onScreen = itemForm ? Number(data.position) - 1 : null;
  var signalsKey = "assess-signals:" + data.queueKey;
  var MAX_REPORT = 50;
  var MAX_PENDING = 500;
  var memorySignals = [];
  // Whether the observations outlive this page (sessionStorage), so the next page of the test sends them.
  var signalsPersist = true;
  var leaving = false;
  // Set when this page posts its answer and moves on within the test.
  var staying = false;

  function readSignals() {
    try {
      var raw = window.sessionStorage.getItem(signalsKey);
      return raw ? JSON.parse(raw) : [];
    } catch (e) {
      return memorySignals;
    }
  }

  function writeSignals(list) {
    memorySignals = list;
    try {
      window.sessionStorage.setItem(signalsKey, JSON.stringify(list));
    } catch (e) {
      signalsPersist = false;
    }
  }

  function note(observation) {
    var list = readSignals();
    if (list.length < MAX_PENDING) {
      list.push(observation);
      writeSignals(list);
    }
  }

  // Times are kept as this browser's Date.now() and sent as differences, so its offset cancels out.
  function wire(observation, now) {
    var ago = function (at) { return Math.max(0, Math.round(now - at)); };
    if (observation.kind === "focus") {
      var lost = ago(observation.lost);
      return { kind: "focus", position: observation.position, lost_ms_ago: lost,
        regained_ms_ago: Math.min(lost, ago(observation.regained)), hidden: observation.hidden };
    }
    if (observation.kind === "paste") {
      return { kind: "paste", position: observation.position, ms_ago: ago(observation.at),
        characters: Math.min(observation.characters, 1000000), from_page: observation.fromPage };
    }
    return { kind: "viewed", position: observation.position, ms_ago: ago(observation.at),
      seconds: Math.round(observation.ms) / 1000 };
  }

  function wireAll(batch) {
    var now = Date.now();
    return batch.map(function (o) { return wire(o, now); });
  }

  function reportBody(batch) {
    var body = new URLSearchParams();
    // A form field, not a header: sendBeacon cannot set headers, and the server checks it the same way.
    body.set("csrf_token", data.csrf);
    body.set("observations", JSON.stringify({ observations: wireAll(batch) }));
    return body;
  }

  function dropSent(count) {
    writeSignals(readSignals().slice(count));
  }

  // A report (alone or riding on a save) is in flight: its observations are not sent twice.
  var reporting = false;

  function takeRiding() {
    if (reporting || leaving) {
      return [];
    }
    var batch = readSignals().slice(0, MAX_REPORT);
    reporting = batch.length > 0;
    return batch;
  }

  function settleRiding(riding, reply) {
    // The server says how many it stored, or why it stored none: either way they are done.
    if (riding.length && reply && (typeof reply.observations === "number" || reply.observations_refused)) {
      dropSent(riding.length);
    }
  }

  function sendSignals() {
    var batch = readSignals().slice(0, MAX_REPORT);
    // Answers waiting to be sent carry the observations with them.
    if (reporting || leaving || !batch.length || !navigator.onLine || queuedCount()) {
      return;
    }
    reporting = true;
    fetch(data.observationsUrl, { method: "POST", credentials: "same-origin", cache: "no-store", body: reportBody(batch) })
      .then(function (response) {
        reporting = false;
        // Refused as it stands (or the test has ended): sending it again cannot help.
        if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
          dropSent(batch.length);
        }
      }, function () {
        reporting = false;
      });
  }

  var signalTimer = null;

  function sendSoon() {
    window.clearTimeout(signalTimer);
    signalTimer = window.setTimeout(sendSignals, 1000);
  }

  var lapse = null;
  var visibleMs = 0;
  var visibleSince = document.hidden ? null : performance.now();

  function stopViewing() {
    if (visibleSince !== null) {
      visibleMs += performance.now() - visibleSince;
      visibleSince = null;
    }
  }

  function loseFocus(hidden) {
    if (onScreen === null || leaving) {
      return;
    }
    if (!lapse) {
      lapse = { lost: Date.now(), hidden: hidden };
    } else if (hidden) {
      lapse.hidden = true;
    }
    if (hidden) {
      stopViewing();
    }
  }

  function endLapse() {
    if (!lapse) {
      return false;
    }
    note({ kind: "focus", position: onScreen, lost: lapse.lost, regained: Date.now(), hidden: lapse.hidden });
    lapse = null;
    return true;
  }

  function regainFocus() {
    if (leaving) {
      return;
    }
    if (visibleSince === null && !document.hidden) {
      visibleSince = performance.now();
    }
    if (endLapse()) {
      sendSoon();
    }
  }

  function pageText() {
    return (document.body.innerText || "").replace(/\s+/g, " ");
  }

  if (itemForm) {
    window.addEventListener("blur", function () { loseFocus(document.hidden); });
    window.addEventListener("focus", regainFocus);
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        loseFocus(true);
      } else {
        regainFocus();
      }
    });
    itemForm.addEventListener("paste", function (event) {
      var field = event.target;
      if (!field || !field.name || field.name.indexOf(prefix) !== 0) {
        return;
      }
      var text = event.clipboardData ? event.clipboardData.getData("text/plain") || "" : "";
      var words = text.replace(/\s+/g, " ").trim();
      // Only the size leaves this page; the text is compared here with the page's own and dropped.
      note({ kind: "paste", position: onScreen, at: Date.now(), characters: text.length,
        fromPage: words.length > 0 && pageText().indexOf(words) >= 0 });
    });
  }

  window.addEventListener("pagehide", function () {
    if (onScreen !== null && !leaving) {
      endLapse();
      stopViewing();
      note({ kind: "viewed", position: onScreen, at: Date.now(), ms: visibleMs });
    }
    leaving = true;
    if (staying && signalsPersist) {
      // The next page of the test sends them with its first save, or alone if none comes.
      return;
    }
    var batch = readSignals().slice(0, MAX_REPORT);
    if (batch.length && navigator.sendBeacon && navigator.sendBeacon(data.observationsUrl, reportBody(batch))) {
      dropSent(batch.length);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      // Back from the browser's page cache: a new visit of the same item.
      leaving = false;
      staying = false;
      visibleMs = 0;
      visibleSince = document.hidden ? null : performance.now();
    }
  });
  window.setInterval(sendSignals, pollMs);
  if (!itemForm) {
    // No save comes from this page (the review page): what the last item page saw goes now.
    sendSignals();
  }

  window.setInterval(function () {
    tick();
    // Once the display reaches zero, ask the server often: it alone says the time is up.
    if (remaining() === 0) {
      pollStatus();
    }
  }, 1000);
  window.setInterval(pollStatus, pollMs);
  tick();
  showSaveState();
  if (queuedCount()) {
    flush();
  }
}());
