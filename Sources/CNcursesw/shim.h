// CNcursesw: ncursesw with its wide-character API, plus static inline shims for what Swift cannot use directly
// (C globals such as stdscr are a Swift 6 concurrency error, and function-like macros are not imported).
#ifndef OZ_CNCURSESW_SHIM_H
#define OZ_CNCURSESW_SHIM_H

// SwiftPM drops pkg-config's defines: without these, get_wch, mvwadd_wchnstr, setcchar and cchar_t are missing.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1

#include <stdio.h>
#include <wchar.h>

#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

// glibc declares wcwidth only under _XOPEN_SOURCE, which the system module is not built with.
extern int wcwidth(wchar_t c);

/// Starts curses on stdout/stdin; unlike initscr, returns NULL (instead of exiting) when the terminal is unusable.
static inline SCREEN *oz_newterm(void) { return newterm(NULL, stdout, stdin); }

static inline WINDOW *oz_stdscr(void) { return stdscr; }
static inline int oz_lines(void) { return LINES; }
static inline int oz_cols(void) { return COLS; }
static inline int oz_colors(void) { return COLORS; }
static inline int oz_color_pairs(void) { return COLOR_PAIRS; }

/// The window's size in cells (getmaxyx is a macro).
static inline void oz_getmaxyx(const WINDOW *window, int *rows, int *columns) {
    int y, x;
    getmaxyx(window, y, x);
    *rows = y;
    *columns = x;
}

static inline attr_t oz_a_normal(void) { return A_NORMAL; }
static inline attr_t oz_a_bold(void) { return A_BOLD; }
static inline attr_t oz_a_reverse(void) { return A_REVERSE; }
static inline attr_t oz_a_dim(void) { return A_DIM; }
static inline attr_t oz_a_underline(void) { return A_UNDERLINE; }
static inline attr_t oz_color_pair(int pair) { return COLOR_PAIR(pair); }

/// The key code of function key Fn (KEY_F is a macro).
static inline int oz_key_f(int n) { return KEY_F(n); }

/// How long (ms) curses waits after ESC for the rest of an escape sequence.
static inline int oz_set_escdelay(int milliseconds) { return set_escdelay(milliseconds); }

/// Cells a character takes: 2 for wide, 1 for most, 0 for combining marks, -1 for unprintable (needs setlocale first).
static inline int oz_wcwidth(wchar_t c) { return wcwidth(c); }

#endif
