// Drives bobao's listening page in Debian's chromium (headless, puppeteer-core): play, the
// highlight follows the speech, keys and clicks jump, speed, axe-core, a screenshot.
// usage: node tests/html_player.js PAGE.html MANIFEST.json SHOT.png   (NODE_PATH: the modules)
// Prints "ok WHAT" or "FAIL WHAT: detail" a line; exits 2 when chromium cannot start.
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [page_path, manifest_path, shot_path] = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(manifest_path, 'utf8'));
const heard = manifest.sentences.filter((s) => s.end > s.start);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';

function say(good, what, detail) {
	console.log(good ? `ok ${what}` : `FAIL ${what}${detail !== undefined ? ': ' + detail : ''}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bobao-chromium-'));
	let browser;
	try {
		browser = await puppeteer.launch({
			executablePath: chromium,
			headless: true,
			userDataDir: profile,
			timeout: 60000,
			protocolTimeout: 120000,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
				'--disable-background-networking', '--disable-component-update',
				'--disable-sync', '--autoplay-policy=no-user-gesture-required',
				'--mute-audio', '--window-size=1024,768'],
		});
	} catch (e) {
		console.log(`skip: chromium cannot start (${String(e.message).split('\n')[0]})`);
		fs.rmSync(profile, {recursive: true, force: true});
		process.exit(2);
	}
	try {
		await run(browser);
	} finally {
		await browser.close();
		fs.rmSync(profile, {recursive: true, force: true});
	}
}

// The page's state: audio time, rate, paused, the highlighted sentence's number (from 1).
async function state(page) {
	return page.evaluate(() => {
		const a = document.getElementById('audio');
		const c = document.querySelectorAll('#transcript .current');
		const cur = c.length === 1 ? c[0] : null;
		return {t: a.currentTime, rate: a.playbackRate, paused: a.paused,
			n: c.length, id: cur ? cur.id : null,
			aria: cur ? cur.getAttribute('aria-current') : null,
			start: cur ? parseFloat(cur.dataset.start) : null,
			label: document.getElementById('play').textContent};
	});
}

async function waitFor(page, pred, ms) {
	const until = Date.now() + ms;
	let s = await state(page);
	while (!pred(s) && Date.now() < until) {
		await sleep(50);
		s = await state(page);
	}
	return s;
}

// The sentence playing at t in the manifest: the last heard one starting at or before t.
function spokenAt(t) {
	let r = null;
	for (const s of heard)
		if (s.start <= t + 0.005)
			r = s;
	return r;
}
const idOf = (s) => (s ? `s${s.index + 1}` : null);

async function axe(page, what) {
	await page.addScriptTag({path: require.resolve('axe-core/axe.min.js')});
	const r = await page.evaluate(() => window.axe.run(document, {runOnly: {type: 'tag',
		values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}}));
	const v = r.violations.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes[0].target})`);
	say(v.length === 0, `axe-core: no WCAG 2.2 AA violation ${what}`, v.join('; '));
	say(r.passes.length > 10, `axe-core ran its rules ${what}`, r.passes.length);
}

async function run(browser) {
	const page = await browser.newPage();
	await page.setViewport({width: 1024, height: 768});
	const requests = [];
	page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	await page.goto('file://' + path.resolve(page_path), {waitUntil: 'load'});
	const dur = await page.evaluate(() => new Promise((ok) => {
		const a = document.getElementById('audio');
		if (a.readyState >= 1) ok(a.duration);
		a.addEventListener('loadedmetadata', () => ok(a.duration));
		setTimeout(() => ok(a.duration), 20000);
	}));
	say(Math.abs(dur - manifest.duration) < 0.2, 'the audio beside the page loads, its length as the manifest\'s', `${dur} vs ${manifest.duration}`);
	const spans = await page.$$eval('#transcript .s', (l) => l.map((s) => [s.id, s.textContent, parseFloat(s.dataset.start)]));
	say(spans.length === manifest.sentences.length && spans.every((s, i) => s[1] === manifest.sentences[i].text &&
		Math.abs(s[2] - manifest.sentences[i].start) < 0.0006), 'one span per sentence, original text and start time');
	let s = await state(page);
	say(s.n === 0 && s.paused, 'nothing highlighted before playing');
	say(await page.$eval('#live', (e) => e.getAttribute('aria-live')) === 'off', 'live region off by default');
	await axe(page, 'before playing');

	// play: the highlight is the sentence being spoken, and moves with it
	await page.click('#play');
	s = await waitFor(page, (x) => !x.paused && x.t > heard[0].start + 0.2, 8000);
	say(!s.paused && s.label === '暂停', 'the play button plays, and says 暂停', JSON.stringify(s));
	s = await state(page);
	say(s.n === 1 && s.id === idOf(spokenAt(s.t)) && s.aria === 'true', 'the spoken sentence is highlighted (aria-current)', JSON.stringify(s));
	const first = s.id;
	s = await waitFor(page, (x) => x.t > heard[1].start + 0.1, 12000);
	s = await state(page);
	say(s.id !== first && s.id === idOf(spokenAt(s.t)), 'the highlight moves to the next sentence as it is spoken', `${first} -> ${JSON.stringify(s)}`);

	// keys: next and previous sentence and heading (on the page, not in a control)
	await page.evaluate(() => document.activeElement && document.activeElement.blur());
	const cur = heard.findIndex((x) => idOf(x) === s.id);
	await page.keyboard.press('n');
	s = await state(page);
	say(s.id === idOf(heard[cur + 1]) && Math.abs(s.t - heard[cur + 1].start) < 0.3 && !s.paused, 'N: next sentence, from its start, still playing', JSON.stringify(s));
	await page.keyboard.press('p');
	s = await state(page);
	say(s.id === idOf(heard[cur]) && Math.abs(s.t - heard[cur].start) < 0.3, 'P: previous sentence', JSON.stringify(s));
	const heads = heard.filter((x) => x.kind === 'heading' || x.kind === 'title');
	const nextHead = heads.find((x) => x.start > heard[cur].start);
	await page.keyboard.press('h');
	s = await state(page);
	say(nextHead && s.id === idOf(nextHead) && Math.abs(s.t - nextHead.start) < 0.3, 'H: next heading', JSON.stringify(s));
	await page.keyboard.press('h');
	const second = heads.find((x) => x.start > nextHead.start);
	s = await state(page);
	say(second && s.id === idOf(second), 'H again: the heading after it', JSON.stringify(s));
	await page.keyboard.down('Shift');
	await page.keyboard.press('H');
	await page.keyboard.up('Shift');
	s = await state(page);
	say(s.id === idOf(nextHead), 'Shift+H: previous heading', JSON.stringify(s));
	await page.keyboard.press(' ');
	s = await waitFor(page, (x) => x.paused && x.label === '播放', 3000);
	say(s.paused && s.label === '播放', 'Space pauses', JSON.stringify(s));
	await page.keyboard.press('k');
	s = await waitFor(page, (x) => !x.paused && x.label === '暂停', 3000);
	say(!s.paused, 'K plays again', JSON.stringify(s));

	// click a sentence: it plays from there
	const last = heard[heard.length - 1];
	await page.click('#' + idOf(last));
	s = await state(page);
	say(s.id === idOf(last) && Math.abs(s.t - last.start) < 0.3 && !s.paused, 'a click on a sentence plays from it', JSON.stringify(s));
	await page.click('#play');
	s = await waitFor(page, (x) => x.paused && x.label === '播放', 3000);
	say(s.paused, 'the play button pauses', JSON.stringify(s));

	// buttons do what the keys do
	await page.click('#prev');
	s = await state(page);
	say(s.id === idOf(heard[heard.length - 2]) && s.paused, 'previous-sentence button (stays paused)', JSON.stringify(s));
	await page.click('#prev-heading');
	s = await state(page);
	const headBefore = heads.filter((x) => x.start < heard[heard.length - 2].start).pop();
	say(s.id === idOf(headBefore), 'previous-heading button', JSON.stringify(s));

	// speed 0.75-2x: the menu and the + and - keys
	const opts = await page.$$eval('#speed option', (l) => l.map((o) => o.value));
	say(opts[0] === '0.75' && opts[opts.length - 1] === '2', 'speed menu from 0.75x to 2x', opts.join(' '));
	await page.select('#speed', '1.5');
	s = await state(page);
	say(s.rate === 1.5, 'speed menu sets the playback rate', s.rate);
	await page.evaluate(() => document.activeElement && document.activeElement.blur());
	await page.keyboard.press('+');
	s = await state(page);
	say(s.rate === 1.75, '+ is faster', s.rate);
	await page.keyboard.press('-');
	await page.keyboard.press('-');
	s = await state(page);
	say(s.rate === 1.25, '- is slower', s.rate);
	// at 2x the speech runs twice as fast
	await page.select('#speed', '2');
	await page.evaluate(() => document.activeElement && document.activeElement.blur());
	await page.click('#' + idOf(heard[1]));
	const t0 = (await state(page)).t, w0 = Date.now();
	await sleep(1500);
	s = await state(page);
	const ratio = (s.t - t0) / ((Date.now() - w0) / 1000);
	say(ratio > 1.5 && ratio < 2.3, 'at 2x the audio runs about twice as fast', ratio.toFixed(2));
	await page.keyboard.press('k');

	// single-key shortcuts can be turned off (WCAG 2.1.4)
	await page.click('#keys');
	await page.evaluate(() => document.activeElement && document.activeElement.blur());
	const before = (await state(page)).id;
	await page.keyboard.press('n');
	s = await state(page);
	say(s.id === before, 'shortcuts off: N does nothing', JSON.stringify(s));
	await page.click('#keys');
	await page.click('#announce');
	say(await page.$eval('#live', (e) => e.getAttribute('aria-live')) === 'polite', 'the live region can be turned on');
	await page.click('#announce');

	// focus is visible on the controls
	await page.evaluate(() => document.activeElement && document.activeElement.blur());
	await page.keyboard.press('Tab');
	await page.keyboard.press('Tab');
	const focus = await page.evaluate(() => {
		const e = document.activeElement, cs = getComputedStyle(e);
		return [e.tagName, cs.outlineStyle, parseFloat(cs.outlineWidth)];
	});
	say(focus[1] !== 'none' && focus[2] >= 2, 'keyboard focus is visible', focus.join(' '));

	await axe(page, 'with a sentence highlighted');
	await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: 'dark'}]);
	await axe(page, 'in dark mode');
	await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: 'light'}]);
	say(requests.length === 0, 'no network request', requests.join(' '));
	say(errors.length === 0, 'no script error', errors.join('; '));

	// the screenshot: the size asked for, and not blank (counted in the browser itself)
	await page.evaluate(() => window.scrollTo(0, 0));
	const png = await page.screenshot({path: shot_path});
	const shot = await browser.newPage();
	await shot.setContent('<canvas id="c"></canvas>');
	const px = await shot.evaluate(async (b64) => {
		const img = new Image();
		img.src = 'data:image/png;base64,' + b64;
		await img.decode();
		const c = document.getElementById('c');
		c.width = img.width;
		c.height = img.height;
		const g = c.getContext('2d');
		g.drawImage(img, 0, 0);
		const d = g.getImageData(0, 0, img.width, img.height).data;
		let ink = 0, hl = 0;
		for (let i = 0; i < d.length; i += 4) {
			if (d[i] < 128 && d[i + 1] < 128 && d[i + 2] < 128)
				ink++;
			if (d[i] > 240 && d[i + 1] > 215 && d[i + 1] < 240 && d[i + 2] < 160)
				hl++; /* the highlight's yellow */
		}
		return {w: img.width, h: img.height, ink, hl};
	}, Buffer.from(png).toString('base64'));
	say(px.w === 1024 && px.h === 768, 'screenshot 1024x768', `${px.w}x${px.h}`);
	say(px.ink > 2000, 'screenshot not blank (text drawn)', px.ink);
	say(px.hl > 200, 'screenshot shows the highlighted sentence', px.hl);
	await shot.close();
}

main().catch((e) => {
	say(false, 'browser test', e && e.stack ? e.stack.split('\n').slice(0, 3).join(' ') : e);
	process.exit(1);
});
