// The mentor's board: one Server-Sent Events stream of the room's view, drawn
// with DOM nodes. Every learner-supplied string goes in through textContent (or
// as an attribute value), never as HTML, so a name like <img src=x onerror=...>
// shows as those characters.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const q = (path) => `${path}?token=${encodeURIComponent(token)}`;
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function duration(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const short = (lesson) => (/^\d+/.exec(lesson) || [lesson])[0];

function renderHands(view) {
  const list = $('hands');
  list.replaceChildren(...view.hands.map((hand) => {
    const item = el('li', { class: hand.status, 'data-hand': hand.id },
      el('div', {}, el('span', { class: 'who', text: hand.name }), ` · lesson ${short(hand.lesson)} · waiting ${duration(hand.waitingMs)}`),
      hand.message ? el('div', { text: `“${hand.message}”` }) : null);
    const diagnosis = hand.diagnosis;
    if (diagnosis) {
      item.append(el('div', {}, diagnosis.pitfall ? el('span', { class: 'pitfall', text: diagnosis.pitfall }) : null, ` ${diagnosis.check}`));
      item.append(el('div', { text: diagnosis.message }));
      if (diagnosis.line || diagnosis.frame.length) item.append(el('pre', { text: [diagnosis.line, ...diagnosis.frame].filter(Boolean).join('\n') }));
    }
    const onMyWay = el('button', { type: 'button', text: hand.status === 'on-my-way' ? 'On my way ✓' : 'On my way' });
    onMyWay.addEventListener('click', () => answer(hand.id, 'on-my-way'));
    const done = el('button', { type: 'button', text: 'Done' });
    done.addEventListener('click', () => answer(hand.id, 'done'));
    item.append(el('div', {}, onMyWay, done));
    return item;
  }));
  $('hands-empty').hidden = view.hands.length > 0;
}

async function answer(id, status) {
  await post(`/board/hands/${encodeURIComponent(id)}`, { status });
}

async function post(path, body) {
  try {
    const response = await fetch(q(path), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) $('connection').textContent = `the board refused: ${(await response.json()).error}`;
  } catch (error) {
    $('connection').textContent = `could not reach the board: ${error.message}`;
  }
}

function renderStuck(view) {
  const stuck = view.learners.filter((learner) => learner.stuck);
  $('stuck').replaceChildren(...stuck.map((learner) => el('li', {},
    el('span', { class: 'who', text: learner.name }), ` · lesson ${short(learner.current || '')} · `, el('span', { class: 'pitfall', text: learner.stuck }))));
  $('stuck-empty').hidden = stuck.length > 0;
  const form = $('thresholds');
  for (const key of ['attempts', 'minutes', 'idleMinutes']) if (document.activeElement !== form.elements[key]) form.elements[key].value = view.thresholds[key];
}

function renderPitfalls(view) {
  $('pitfalls').replaceChildren(...view.pitfalls.map((group) => el('li', {},
    el('span', { class: 'pitfall', text: group.pitfall }), ` · lesson ${short(group.lesson)} · ${group.learners.length} learner${group.learners.length === 1 ? '' : 's'}, ${group.count} failure${group.count === 1 ? '' : 's'}`,
    el('div', { class: 'dim', text: group.learners.join(', ') }))));
  $('pitfalls-empty').hidden = view.pitfalls.length > 0;
}

// Per lesson whose quiz was taken: the score, then the most missed questions with
// who missed them. Titles come from the board's course; without one, "Q3".
function renderQuizzes(view) {
  const quizzes = view.quizzes || [];
  $('quizzes').replaceChildren(...quizzes.map((quiz) => {
    const median = quiz.medianCorrect === null ? '–' : String(quiz.medianCorrect);
    const item = el('li', { 'data-lesson': quiz.lesson },
      el('div', {}, el('span', { class: 'who', text: `Lesson ${short(quiz.lesson)}` }),
        ` · ${quiz.learners} took it · median ${median}/${quiz.total} · ${quiz.perfect} all right`));
    if (quiz.hardest.length) {
      item.append(el('ol', { class: 'hardest' }, ...quiz.hardest.map((question) => el('li', { 'data-question': String(question.question) },
        el('span', { class: 'qnum', text: `Q${question.question}` }),
        question.title ? el('span', { text: question.title }) : null,
        el('div', { class: 'dim', text: `missed by ${question.count} (${question.learners.join(', ')})${question.still ? `; still wrong for ${question.still}` : ''}` })))));
    } else item.append(el('div', { class: 'dim', text: 'Every question answered right.' }));
    return item;
  }));
  $('quizzes-empty').hidden = quizzes.length > 0;
}

function renderGrid(view) {
  const grid = $('grid');
  grid.tHead.replaceChildren(el('tr', {}, el('th', { text: 'Learner' }), ...view.lessons.map((lesson) => el('th', { title: lesson, text: short(lesson) }))));
  grid.tBodies[0].replaceChildren(...view.learners.map((learner) => {
    const row = el('tr', { class: [learner.stuck ? 'stuck' : '', learner.left ? 'left' : ''].join(' '), 'data-learner': learner.id }, el('td', { text: learner.name }));
    for (const lesson of view.lessons) {
      const cell = learner.cells[lesson];
      if (!cell) row.append(el('td', {}));
      else if (cell.state === 'passed') {
        // The learner's latest quiz score beside the tick: who passed without understanding why.
        const quiz = (learner.quizzes || {})[lesson];
        const score = quiz ? ` ${quiz.correct}/${quiz.total}` : '';
        row.append(el('td', { class: 'cell passed', title: `passed after ${cell.attempts} attempts${quiz ? `; quiz ${quiz.correct}/${quiz.total} (best ${quiz.best}, ${quiz.attempts} tries)` : ''}`, text: `✓${score}` }));
      }
      else if (cell.state === 'current') row.append(el('td', { class: 'cell current', title: `${cell.attempts} attempts${cell.pitfall ? `, failing ${cell.pitfall} for ${duration(cell.ms)}` : ''}`, text: `${cell.attempts}${cell.pitfall ? ' ✗' : ''}` }));
      else row.append(el('td', { class: 'cell started', title: `${cell.attempts} attempts`, text: '·' }));
    }
    return row;
  }));
}

function renderFigures(view) {
  $('figures').tBodies[0].replaceChildren(...view.figures.filter((row) => row.learners > 0).map((row) => el('tr', {},
    el('td', { text: row.lesson }), el('td', { text: String(row.learners) }), el('td', { text: String(row.passed) }),
    el('td', { text: row.medianAttempts === null ? '–' : String(row.medianAttempts) }),
    el('td', { text: row.medianMs === null ? '–' : duration(row.medianMs) }),
    el('td', { text: row.pitfalls.map((p) => `${p.pitfall} (${p.count})`).join(', ') }))));
}

function render(view) {
  $('room-name').textContent = view.name || 'httpdojo classroom';
  document.title = `${view.name || 'httpdojo classroom'} · board`;
  const active = view.learners.filter((learner) => !learner.left).length;
  $('summary').textContent = `${active} learner${active === 1 ? '' : 's'} · ${view.hands.length} hand${view.hands.length === 1 ? '' : 's'} up · ${view.learners.filter((l) => l.stuck).length} stuck`;
  renderHands(view);
  renderStuck(view);
  renderPitfalls(view);
  renderQuizzes(view);
  renderGrid(view);
  renderFigures(view);
}

function connect() {
  const status = $('connection');
  const source = new EventSource(q('/stream'));
  source.onopen = () => {
    status.textContent = 'live';
    status.className = 'connection live';
  };
  source.onmessage = (message) => {
    status.textContent = 'live';
    status.className = 'connection live';
    render(JSON.parse(message.data));
  };
  // EventSource reconnects by itself; say so meanwhile.
  source.onerror = () => {
    status.textContent = 'reconnecting…';
    status.className = 'connection';
  };
}

document.addEventListener('DOMContentLoaded', () => {
  $('export-csv').href = q('/export.csv');
  $('export-json').href = q('/export.json');
  $('thresholds').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    const thresholds = {};
    for (const key of ['attempts', 'minutes', 'idleMinutes']) thresholds[key] = Number(form.elements[key].value);
    document.activeElement.blur();
    post('/board/settings', { thresholds });
  });
  connect();
});
