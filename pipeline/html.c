/* html: a self-contained listening page, the audio beside it, the transcript synchronized. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"
#include "sidecar.h"

/* Everything inline: the page works from a folder with no network. Colours meet WCAG 2.2 AA
 * (text 4.5:1 and more, the focus ring and the current sentence's underline 3:1 against
 * their backgrounds). */
static const char page_style[] =
	"html{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\","
	"\"Microsoft YaHei\",sans-serif;line-height:1.8;color:#1a1a1a;background:#fff}\n"
	"body{margin:0 auto;max-width:46em;padding:0 1em 4em}\n"
	".skip{position:absolute;left:-999em}.skip:focus{position:static;display:inline-block;"
	"padding:.3em .6em;background:#fff}\n"
	".player{position:sticky;top:0;background:#fff;border-bottom:2px solid #555;"
	"padding:.6em 0;z-index:1}\n"
	".player audio{width:100%}\n"
	".controls{display:flex;flex-wrap:wrap;gap:.4em;align-items:center;margin:.4em 0}\n"
	"button,select{font:inherit;color:#111;background:#f2f2f2;border:2px solid #555;"
	"border-radius:.3em;padding:.2em .7em;min-height:44px;min-width:44px}\n"
	"button:hover,select:hover{background:#e0e0e0}\n"
	":focus-visible{outline:3px solid #0b57d0;outline-offset:2px}\n"
	".help{font-size:.9em;color:#333;margin:.2em 0}\n"
	".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0);white-space:nowrap}\n"
	"#transcript .s{cursor:pointer;border-radius:.2em}\n"
	"#transcript .s:hover{background:#eef3fb}\n"
	"#transcript .s.current{background:#ffe58a;color:#000;box-shadow:inset 0 -3px 0 #7a4d00}\n"
	".byline,.caption{color:#333}\n"
	"@media (prefers-color-scheme:dark){html,.player,.skip:focus{color:#eee;background:#121212}"
	"button,select{color:#eee;background:#2a2a2a;border-color:#aaa}"
	"button:hover,select:hover{background:#3a3a3a}.help,.byline,.caption{color:#ccc}"
	":focus-visible{outline-color:#8ab4f8}#transcript .s:hover{background:#1f2a3a}"
	"#transcript .s.current{background:#ffe58a;color:#000}}\n"
	"@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto}}\n";

/* The player: the current sentence is the last one that starts at or before the audio's
 * time; the pause after a sentence still belongs to it. */
static const char page_script[] =
	"(function(){'use strict';\n"
	"var audio=document.getElementById('audio'),live=document.getElementById('live');\n"
	"var playBtn=document.getElementById('play'),speed=document.getElementById('speed');\n"
	"var announce=document.getElementById('announce'),keys=document.getElementById('keys');\n"
	"var spans=[].slice.call(document.querySelectorAll('#transcript .s')).filter(function(s){\n"
	"  return parseFloat(s.dataset.end)>parseFloat(s.dataset.start);});\n"
	"var starts=spans.map(function(s){return parseFloat(s.dataset.start);});\n"
	"var cur=-1,smooth=!window.matchMedia('(prefers-reduced-motion: reduce)').matches;\n"
	"function at(t){var lo=0,hi=starts.length-1,r=-1;while(lo<=hi){var m=(lo+hi)>>1;\n"
	"  if(starts[m]<=t+0.005){r=m;lo=m+1;}else hi=m-1;}return r;}\n"
	"function show(i){if(i===cur)return;\n"
	"  if(cur>=0){spans[cur].classList.remove('current');spans[cur].removeAttribute('aria-current');}\n"
	"  cur=i;if(i<0)return;var s=spans[i];s.classList.add('current');\n"
	"  s.setAttribute('aria-current','true');\n"
	"  s.scrollIntoView({block:'nearest',behavior:smooth?'smooth':'auto'});\n"
	"  live.textContent=s.textContent;}\n"
	"function tick(){show(at(audio.currentTime));}\n"
	"function frame(){tick();if(!audio.paused)requestAnimationFrame(frame);}\n"
	"function play(){var p=audio.play();if(p&&p.catch)p.catch(function(){});}\n"
	"function go(i,start){if(!spans.length)return;i=Math.max(0,Math.min(spans.length-1,i));\n"
	"  audio.currentTime=starts[i];show(i);if(start)play();}\n"
	"function heading(dir){for(var j=cur+dir;j>=0&&j<spans.length;j+=dir)\n"
	"  if(spans[j].dataset.h){go(j,!audio.paused);return;}}\n"
	"function toggle(){if(audio.paused)play();else audio.pause();}\n"
	"function rate(step){var i=speed.selectedIndex+step;if(i<0||i>=speed.options.length)return;\n"
	"  speed.selectedIndex=i;setRate();}\n"
	"function setRate(){audio.playbackRate=audio.defaultPlaybackRate=parseFloat(speed.value);}\n"
	"audio.addEventListener('timeupdate',tick);audio.addEventListener('seeked',tick);\n"
	"audio.addEventListener('play',function(){playBtn.textContent='暂停';frame();});\n"
	"audio.addEventListener('pause',function(){playBtn.textContent='播放';});\n"
	"audio.addEventListener('ratechange',function(){\n"
	"  var v=String(audio.playbackRate);for(var k=0;k<speed.options.length;k++)\n"
	"    if(speed.options[k].value===v)speed.selectedIndex=k;});\n"
	"playBtn.addEventListener('click',toggle);\n"
	"document.getElementById('next').addEventListener('click',function(){go(cur+1,!audio.paused);});\n"
	"document.getElementById('prev').addEventListener('click',function(){go(cur-1,!audio.paused);});\n"
	"document.getElementById('next-heading').addEventListener('click',function(){heading(1);});\n"
	"document.getElementById('prev-heading').addEventListener('click',function(){heading(-1);});\n"
	"speed.addEventListener('change',setRate);\n"
	"announce.addEventListener('change',function(){\n"
	"  live.setAttribute('aria-live',announce.checked?'polite':'off');});\n"
	"spans.forEach(function(s,i){s.addEventListener('click',function(){go(i,true);});});\n"
	"document.addEventListener('keydown',function(e){\n"
	"  if(!keys.checked||e.ctrlKey||e.altKey||e.metaKey)return;\n"
	"  var t=e.target.tagName;if(t==='INPUT'||t==='SELECT'||t==='TEXTAREA')return;\n"
	"  var k=e.key,done=true;\n"
	"  if(k===' '){if(t==='BUTTON'||t==='AUDIO'||t==='A')return;toggle();}\n"
	"  else if(k==='k'||k==='K')toggle();\n"
	"  else if(k==='n'||k==='N')go(cur+1,!audio.paused);\n"
	"  else if(k==='p'||k==='P')go(cur-1,!audio.paused);\n"
	"  else if(k==='h')heading(1);else if(k==='H')heading(-1);\n"
	"  else if(k==='+'||k==='=')rate(1);else if(k==='-'||k==='_')rate(-1);\n"
	"  else done=false;\n"
	"  if(done)e.preventDefault();});\n"
	"})();\n";

static const char page_controls[] =
	"<div class=\"controls\">\n"
	"<button type=\"button\" id=\"prev-heading\">上一个标题</button>\n"
	"<button type=\"button\" id=\"prev\">上一句</button>\n"
	"<button type=\"button\" id=\"play\">播放</button>\n"
	"<button type=\"button\" id=\"next\">下一句</button>\n"
	"<button type=\"button\" id=\"next-heading\">下一个标题</button>\n"
	"<label for=\"speed\">语速</label>\n"
	"<select id=\"speed\"><option value=\"0.75\">0.75×</option>"
	"<option value=\"1\" selected>1×</option><option value=\"1.25\">1.25×</option>"
	"<option value=\"1.5\">1.5×</option><option value=\"1.75\">1.75×</option>"
	"<option value=\"2\">2×</option></select>\n"
	"</div>\n<div class=\"controls\">\n"
	"<input type=\"checkbox\" id=\"keys\" checked><label for=\"keys\">单键快捷键</label>\n"
	"<input type=\"checkbox\" id=\"announce\"><label for=\"announce\">"
	"播放时由读屏软件念出当前句</label>\n"
	"</div>\n"
	"<p class=\"help\" id=\"help\">快捷键：空格或 K 播放/暂停，N 下一句，P 上一句，"
	"H 下一个标题，Shift+H 上一个标题，+ 和 − 调整语速；点击任一句从该句播放。</p>\n"
	"<div id=\"live\" class=\"visually-hidden\" aria-live=\"off\" aria-atomic=\"true\"></div>\n";

static const char *block_tag(enum bb_kind kind)
{
	return kind == BB_TITLE ? "h1" : kind == BB_HEADING ? "h2" : "p";
}

static const char *block_class(enum bb_kind kind)
{
	return kind == BB_BYLINE ? " class=\"byline\"" : kind == BB_CAPTION ? " class=\"caption\"" : "";
}

/* The page's title: the original text of the title sentences, else the audio's name. */
static int put_title(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a)
{
	int any = 0;
	for (size_t i = 0; i < sc->n && sc->sentences[i].kind == BB_TITLE; i++) {
		char *t = bb_sidecar_sentence_text(sc, i);
		if (!t)
			return -1;
		bb_xml_escape(f, t);
		any |= *t != 0;
		free(t);
	}
	if (!any)
		bb_xml_escape(f, a->audio_name && *a->audio_name ? a->audio_name : "bobao");
	return 0;
}

int bb_sidecar_html(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		    struct bb_error *err)
{
	fputs("<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"bobao " BOBAO_VERSION "\">\n<title>", f);
	if (put_title(f, sc, a))
		return bb_fail(err, BB_ENOMEM, "out of memory");
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		"<a class=\"skip\" href=\"#transcript\">跳到文稿</a>\n"
		"<section class=\"player\" aria-label=\"播放器\">\n"
		"<audio id=\"audio\" controls preload=\"auto\" src=\"", page_style);
	bb_xml_escape(f, a->audio_name ? a->audio_name : "");
	fputs("\">你的浏览器不能播放这段音频。</audio>\n", f);
	fputs(page_controls, f);
	fputs("</section>\n<main id=\"transcript\" tabindex=\"-1\">\n", f);
	const char *open = NULL;
	for (size_t i = 0; i < sc->n; i++) {
		const struct bb_sentence *s = &sc->sentences[i];
		if (!i || s->paragraph != sc->sentences[i - 1].paragraph ||
		    s->kind != sc->sentences[i - 1].kind) {
			if (open)
				fprintf(f, "</%s>\n", open);
			open = block_tag(s->kind);
			fprintf(f, "<%s%s>", open, block_class(s->kind));
		}
		char *text = bb_sidecar_sentence_text(sc, i);
		if (!text)
			return bb_fail(err, BB_ENOMEM, "out of memory");
		fprintf(f, "<span class=\"s\" id=\"s%zu\" data-start=\"%.3f\" data-end=\"%.3f\"%s>",
			i + 1, a->start[i], a->end[i],
			s->kind == BB_TITLE || s->kind == BB_HEADING ? " data-h=\"1\"" : "");
		bb_xml_escape(f, text);
		fputs("</span>", f);
		free(text);
	}
	if (open)
		fprintf(f, "</%s>\n", open);
	fprintf(f, "</main>\n<script>\n%s</script>\n</body>\n</html>\n", page_script);
	if (ferror(f))
		return bb_fail(err, BB_EIO, "cannot write the page: %s", strerror(errno));
	return BB_OK;
}
