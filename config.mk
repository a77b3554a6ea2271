# quire build configuration.  Users may set CC, CXX, CFLAGS, CXXFLAGS,
# CPPFLAGS, LDFLAGS, PREFIX, DESTDIR, BINDIR, MANDIR, PKG_CONFIG; quire's own
# flags are added to theirs, never replaced by them.

QUIRE_VERSION := $(shell cat VERSION)

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
BUILD = build

CC = cc
CXX = c++
PKG_CONFIG = pkg-config
CFLAGS = -O2 -g
CXXFLAGS = -O2 -g

# libcsv ships no pkg-config file: it is -lcsv from Debian's libcsv-dev.
PKGS = libpcre2-8 icu-uc icu-i18n libzstd libxxhash json-c nettle

WARN = -Wall -Wextra -Wpedantic
QUIRE_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -DVERSION='"$(QUIRE_VERSION)"' \
	-Ilib -DPCRE2_CODE_UNIT_WIDTH=8
QUIRE_CFLAGS = -std=c11 $(WARN) -Wstrict-prototypes
QUIRE_CXXFLAGS = -std=c++17 $(WARN)
QUIRE_LDLIBS = -lcsv -lm -pthread

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

ALL_CPPFLAGS = $(QUIRE_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(QUIRE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_CXXFLAGS = $(QUIRE_CXXFLAGS) $(PKG_CFLAGS) $(CXXFLAGS)
ALL_LDFLAGS = $(LDFLAGS)
ALL_LDLIBS = $(PKG_LIBS) $(QUIRE_LDLIBS) $(LDLIBS)
