# bobao: Chinese news articles to broadcast-ready speech. SPDX-License-Identifier: GPL-3.0-or-later
#   make          build build/bobao          make test     deps, build, all tests
#   make demo     deps, build, samples/ -> out/   make check    tests under ASan+UBSan, -Werror
#   make bench    speed and memory against raw espeak-ng    make install PREFIX=/usr/local DESTDIR=
#   make clean

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKGS     = espeak-ng sndfile libebur128 soxr jansson libzip
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) \
	-DBOBAO_PREFIX='"$(PREFIX)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) taglib 2>/dev/null) -lstdc++ -lm
# pipeline/tags.cc (TagLib is C++): compiled by the C++ compiler of the same family as CC.
# -fno-sanitize=vptr: programs are linked by the C driver, which under clang has no C++ UBSan
# runtime for that one check (the sanitizer builds: make check, make fuzz).
BB_CXX   = $(if $(findstring clang,$(CC)),clang++,g++)
ALL_CXXFLAGS = -std=c++17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter $(CFLAGS) \
	$(EXTRA_CFLAGS) -fno-sanitize=vptr \
	$(patsubst -I%,-isystem %,$(shell pkg-config --cflags taglib 2>/dev/null))

# Debian packages for building, running and testing (checked with dpkg, installed when missing).
DEB_PKGS = gcc make pkg-config libc6-dev espeak-ng espeak-ng-data libespeak-ng-dev libsndfile1-dev \
	libebur128-dev libsoxr-dev libjansson-dev python3-jieba rime-data-terra-pinyin opencc \
	golang-github-mozillazg-go-pinyin-dev parallel ffmpeg time bc jq clang libclang-rt-14-dev valgrind \
	python3-feedparser slurm-wlm munge fonts-noto-cjk \
	libzip-dev epubcheck chromium g++ libtag1-dev mediainfo

LIB_SRC  = $(filter-out pipeline/main.c pipeline/lexicon_build.c,$(wildcard pipeline/*.c))
LIB_OBJ  = $(LIB_SRC:pipeline/%.c=$(BUILD)/%.o) $(patsubst pipeline/%.cc,$(BUILD)/%.o,$(wildcard pipeline/*.cc))
HDRS     = $(wildcard pipeline/*.h)
TEST_BIN = $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/*.c))
LEXICON  = $(BUILD)/lexicon.bin
# The shared library: libbobao.so -> libbobao.so.0 (its SONAME) -> libbobao.so.0.1.0.
SOVERSION = 0
SOLIB    = libbobao.so.$(SOVERSION).1.0
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
VERSION := $(shell sed -n 's/^\#define BOBAO_VERSION "\(.*\)"/\1/p' pipeline/bobao.h)

.PHONY: all deps audit-readings train-polyphones test test-espeak-1.52 check fuzz bench demo install uninstall clean

all: $(BUILD)/bobao $(BUILD)/$(SOLIB) $(if $(wildcard pipeline/lexicon_build.c),$(LEXICON))

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Library objects are position-independent, for libbobao.so as well as libbobao.a; calls
# inside the library are not interposable, so they inline as in the program.
$(BUILD)/%.o: pipeline/%.c $(HDRS) Makefile | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(if $(filter $@,$(LIB_OBJ)),-fPIC -fno-semantic-interposition) -c -o $@ $<

$(BUILD)/%.o: pipeline/%.cc $(HDRS) Makefile | $(BUILD)
	$(BB_CXX) $(ALL_CXXFLAGS) -fPIC -c -o $@ $<

$(BUILD)/libbobao.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/$(SOLIB): $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libbobao.so.$(SOVERSION) -o $@ $^ $(LDLIBS)
	ln -sf $(SOLIB) $(BUILD)/libbobao.so.$(SOVERSION) && ln -sf libbobao.so.$(SOVERSION) $(BUILD)/libbobao.so

$(BUILD)/bobao: $(BUILD)/main.o $(BUILD)/libbobao.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%: tests/%.c $(BUILD)/libbobao.a $(HDRS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Ipipeline -o $@ $< $(BUILD)/libbobao.a $(LDLIBS)

$(BUILD):
	mkdir -p $@

# The pronunciation lexicon, compiled from Debian's open data (see README: Sources).
$(BUILD)/lexicon_build: pipeline/lexicon_build.c $(BUILD)/libbobao.a $(HDRS) | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Ipipeline -o $@ $< $(BUILD)/libbobao.a $(LDLIBS)

JIEBA_DICT = /usr/lib/python3/dist-packages/jieba/dict.txt
TERRA_DICT = /usr/share/rime-data/terra_pinyin.dict.yaml
# pinyin-data's mainland readings of every character, as Debian's go-pinyin ships them (MIT)
MAINLAND_DICT = /usr/share/gocode/src/github.com/mozillazg/go-pinyin/pinyin_dict.go
$(BUILD)/terra_simplified.txt: $(TERRA_DICT) | $(BUILD)
	opencc -c t2s.json -i $(TERRA_DICT) -o $@.tmp && mv $@.tmp $@

$(BUILD)/terra_back.txt: $(BUILD)/terra_simplified.txt
	opencc -c s2t.json -i $< -o $@.tmp && mv $@.tmp $@

# Traditional characters to simplified, one by one (to read traditional text).
$(BUILD)/chars.txt: $(BUILD)/lexicon_build
	$(BUILD)/lexicon_build --chars > $@.tmp && mv $@.tmp $@

$(BUILD)/chars_%.txt: $(BUILD)/chars.txt
	opencc -c $*.json -i $< -o $@.tmp && mv $@.tmp $@

# Mainland word readings: pinyin-pro's word data (npm @pinyin-pro/data, ISC), pinned, from the
# npm registry into the build folder, dumped as "=word TAB reading" lines; its readings win
# over terra_pinyin's (README: Data sources). A build dependency: make stops when npm or the
# registry is missing; `make MAINLAND_WORDS=` builds the lexicon without it (terra's readings;
# tests/cases/pronounce/word_source.txt then fails).
PINYIN_DATA = @pinyin-pro/data@1.3.1
PINYIN_DATA_SET = modern
MAINLAND_WORDS ?= $(BUILD)/mainland_words.txt
# $(call npm_install,DIR,PACKAGES): the pinned PACKAGES from the npm registry into
# $(BUILD)/DIR (npm itself from apt when missing), its output in $(BUILD)/DIR.log; a shell
# command list, true when installed.
npm_install = { command -v npm >/dev/null 2>&1 || { sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get install -y -qq --no-install-recommends npm >/dev/null 2>&1; }; \
	npm install --prefix $(BUILD)/$(1) --no-audit --no-fund --ignore-scripts --no-save $(2) \
		>$(BUILD)/$(1).log 2>&1; }
$(BUILD)/pinyin-data/.installed: | $(BUILD)
	@if $(call npm_install,pinyin-data,$(PINYIN_DATA)); then touch $@; \
	else echo "npm: cannot install $(PINYIN_DATA) (see $(BUILD)/pinyin-data.log); to build" \
		"the lexicon without mainland word readings: make MAINLAND_WORDS="; exit 1; fi

$(BUILD)/mainland_words.txt: pipeline/mainland_words.js $(BUILD)/pinyin-data/.installed
	node pipeline/mainland_words.js $(BUILD)/pinyin-data/node_modules/@pinyin-pro/data \
		$(PINYIN_DATA_SET) >$@.tmp && mv $@.tmp $@

CHAR_MAPS = $(BUILD)/chars.txt $(BUILD)/chars_t2s.txt $(BUILD)/chars_hk2s.txt $(BUILD)/chars_tw2s.txt
# The context model of polyphones, learned from labelled data (tests/train_polyphones.py);
# empty to build a lexicon without it (its prior readings, to train it again).
POLYPHONE_MODEL ?= pipeline/polyphone_model.txt
LEXICON_INPUTS = $(JIEBA_DICT) $(TERRA_DICT) $(BUILD)/terra_simplified.txt $(BUILD)/terra_back.txt \
	$(CHAR_MAPS) $(MAINLAND_DICT) pipeline/lexicon_fixes.txt $(POLYPHONE_MODEL) $(MAINLAND_WORDS)
$(LEXICON): $(BUILD)/lexicon_build $(BUILD)/terra_back.txt $(CHAR_MAPS) pipeline/lexicon_fixes.txt \
		$(POLYPHONE_MODEL) $(MAINLAND_WORDS)
	$(BUILD)/lexicon_build $@ $(LEXICON_INPUTS)

# Learns pipeline/polyphone_model.txt again from CPP's tuning part (../shared/peers/cpp;
# under a minute), with the readings of a lexicon without the model as its prior: after
# a change to pipeline/lexicon_fixes.txt or to the lexicon's sources.
train-polyphones:
	$(MAKE) BUILD=$(BUILD)/base POLYPHONE_MODEL= all $(BUILD)/base/run_cases
	BUILD=$(BUILD)/base sh tests/bench_cpp.sh --tuning | python3 tests/train_polyphones.py \
		> pipeline/polyphone_model.txt.tmp && mv pipeline/polyphone_model.txt.tmp pipeline/polyphone_model.txt

# The lexicon's readings against the mainland ones, into build/readings_audit.txt: each
# word with a syllable none of its character's mainland readings, and the neutral tones where
# bobao and pinyin-pro disagree, less the entries pipeline/readings_reviewed.txt explains
# (README.md, "Readings audit"). Without pinyin-pro, the syllables only.
READINGS_REVIEWED ?= pipeline/readings_reviewed.txt
READINGS_AUDIT ?= $(BUILD)/readings_audit.txt
audit-readings: deps $(BUILD)/lexicon_build $(BUILD)/terra_back.txt $(CHAR_MAPS) \
		$(MAINLAND_WORDS) $(BUILD)/pinyin-pro/.installed
	@ref=-; if [ -f $(BUILD)/pinyin-pro/.installed ]; then ref=$(BUILD)/neutral_reference.txt; \
		node tests/neutral_reference.js $(BUILD)/pinyin-pro/node_modules/pinyin-pro $$ref \
			$(JIEBA_DICT) $(BUILD)/terra_simplified.txt || exit 1; \
	else echo "audit-readings: pinyin-pro not installed: no neutral-tone audit"; fi; \
	$(BUILD)/lexicon_build --audit $(READINGS_AUDIT) $(READINGS_REVIEWED) $$ref - $(LEXICON_INPUTS)

# The audit's neutral-tone reference, pinyin-pro (MIT; it marks neutral tones), pinned, from
# the npm registry into the build folder; without npm or the registry the audit skips it.
PINYIN_PRO = pinyin-pro@3.29.4
$(BUILD)/pinyin-pro/.installed: | $(BUILD)
	@if $(call npm_install,pinyin-pro,$(PINYIN_PRO)); then touch $@; \
	else echo "npm: cannot install $(PINYIN_PRO) (see $(BUILD)/pinyin-pro.log): no neutral-tone audit"; fi

test: deps all $(TEST_BIN) $(BUILD)/node/.installed $(BUILD)/pinyin-pro/.installed
	@BUILD=$(BUILD) sh tests/run.sh

# The browser test's drivers (tests/t_html.sh), pinned, from the npm registry into the build
# folder (never a browser: the test runs Debian's chromium). Without npm or the registry the
# browser test says so and is skipped.
NODE_PKGS = puppeteer-core@24.9.0 axe-core@4.10.3
$(BUILD)/node/.installed: | $(BUILD)
	@if $(call npm_install,node,$(NODE_PKGS)); then touch $@; \
	else echo "npm: cannot install $(NODE_PKGS) (see $(BUILD)/node.log): the browser test is skipped"; fi

# The same suite on eSpeak NG 1.52 (Debian 13's, bookworm-backports'), unpacked into
# $(BUILD)/espeak-1.52 beside the system's 1.51 (tests/espeak_next.sh).
test-espeak-1.52: deps all $(TEST_BIN)
	@BUILD=$(BUILD) sh tests/espeak_next.sh

# The whole suite under ASan+UBSan (its own build), then the normal build end to end under
# valgrind memcheck (tests/valgrind.sh).
check:
	$(MAKE) BUILD=build/check CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Werror' \
		LDFLAGS='-fsanitize=address,undefined' test
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh tests/valgrind.sh

# Fuzzing with libFuzzer (clang, a library of its own in build/fuzz): every tests/fuzz/fuzz_*.c
# runs FUZZ_TIME seconds from seeds (samples, case files, presets); fails on a crash, leak or
# timeout (tests/fuzz/run.sh). Findings are kept in tests/fuzz/regressions/ or tests/cases/.
FUZZ_BUILD = build/fuzz
FUZZ_TIME ?= 30
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link \
	-fno-sanitize-recover=undefined

fuzz: deps all
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang CFLAGS='$(FUZZ_CFLAGS)' \
		$(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libbobao.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Ipipeline -o $@ $< $(BUILD)/libbobao.a $(LDLIBS)

# The replay test (make test) includes the targets.
$(BUILD)/t_fuzz_regressions: $(wildcard tests/fuzz/*.c tests/fuzz/*.h)

demo: deps all
	$(BUILD)/bobao batch samples out
	@ls out/*.wav

bench: deps all
	@BUILD=$(BUILD) sh tests/bench.sh

# The program finds its data relative to itself (PREFIX/bin/../share/bobao), so a build made
# for one PREFIX works when installed under another; bobao.pc is written for this PREFIX.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bobao/voices \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(BUILD)/bobao $(DESTDIR)$(PREFIX)/bin/bobao
	install -m 644 voices/*.ini $(DESTDIR)$(PREFIX)/share/bobao/voices/
	install -m 644 $(LEXICON) $(DESTDIR)$(PREFIX)/share/bobao/lexicon.bin
	install -m 644 bobao.1 $(DESTDIR)$(PREFIX)/share/man/man1/bobao.1
	install -m 644 pipeline/bobao.h $(DESTDIR)$(INCLUDEDIR)/bobao.h
	install -m 644 $(BUILD)/libbobao.a $(DESTDIR)$(LIBDIR)/libbobao.a
	install -m 755 $(BUILD)/$(SOLIB) $(DESTDIR)$(LIBDIR)/$(SOLIB)
	ln -sf $(SOLIB) $(DESTDIR)$(LIBDIR)/libbobao.so.$(SOVERSION)
	ln -sf libbobao.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libbobao.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PKGS)|' bobao.pc.in \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/bobao.pc

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/bobao $(DESTDIR)$(PREFIX)/share/bobao \
		$(DESTDIR)$(PREFIX)/share/man/man1/bobao.1 $(DESTDIR)$(INCLUDEDIR)/bobao.h \
		$(DESTDIR)$(LIBDIR)/libbobao.a $(DESTDIR)$(LIBDIR)/libbobao.so* \
		$(DESTDIR)$(LIBDIR)/pkgconfig/bobao.pc

clean:
	rm -rf $(BUILD) out
