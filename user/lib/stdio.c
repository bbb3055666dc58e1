/*
 * stdio.c - picolibc's standard streams on top of read/write.
 *
 * picolibc's "tinystdio" leaves stdin/stdout/stderr to the application: each
 * is a FILE with a put (one character out), get (one character in) and flush
 * function.  libpakaya gives them small buffers so printf is not one system
 * call per character:
 *
 *   stdout  buffered, flushed at '\n', when full, on fflush, before reading
 *           stdin, and at exit();
 *   stderr  the same (line buffered), so a message ending in '\n' appears at
 *           once;
 *   stdin   reads up to a buffer's worth per read() call.
 *
 * A destructor (run by exit() through __libc_fini_array) flushes stdout and
 * stderr; _exit() and fatal signals do not flush, as on any Unix.
 */
#include <stdio.h>
#include <unistd.h>

#include "pakaya.h"

#define PK_OUT_BUF 1024
#define PK_IN_BUF 256

struct pk_file {
    FILE file; /* must be first: picolibc passes &file around */
    int fd;
    int len; /* bytes in buf (output) / bytes available (input) */
    int pos; /* next byte to hand out (input only) */
    char *buf;
    int size;
};

static int pk_flush(FILE *f);
static int pk_put(char c, FILE *f);
static int pk_get(FILE *f);

static char out_buf[PK_OUT_BUF];
static char err_buf[PK_OUT_BUF];
static char in_buf[PK_IN_BUF];

static struct pk_file pk_stdin = {
    .file = FDEV_SETUP_STREAM(NULL, pk_get, NULL, _FDEV_SETUP_READ),
    .fd = 0,
    .buf = in_buf,
    .size = PK_IN_BUF,
};
static struct pk_file pk_stdout = {
    .file = FDEV_SETUP_STREAM(pk_put, NULL, pk_flush, _FDEV_SETUP_WRITE),
    .fd = 1,
    .buf = out_buf,
    .size = PK_OUT_BUF,
};
static struct pk_file pk_stderr = {
    .file = FDEV_SETUP_STREAM(pk_put, NULL, pk_flush, _FDEV_SETUP_WRITE),
    .fd = 2,
    .buf = err_buf,
    .size = PK_OUT_BUF,
};

FILE *const stdin = &pk_stdin.file;
FILE *const stdout = &pk_stdout.file;
FILE *const stderr = &pk_stderr.file;

static int pk_flush(FILE *f)
{
    struct pk_file *p = (struct pk_file *)f;
    int off = 0;
    while (off < p->len) {
        ssize_t n = write(p->fd, p->buf + off, (size_t)(p->len - off));
        if (n <= 0) {
            p->len = 0;
            return -1;
        }
        off += (int)n;
    }
    p->len = 0;
    return 0;
}

static int pk_put(char c, FILE *f)
{
    struct pk_file *p = (struct pk_file *)f;
    p->buf[p->len++] = c;
    if (c == '\n' || p->len == p->size) {
        if (pk_flush(f) < 0)
            return _FDEV_ERR;
    }
    return (unsigned char)c;
}

static int pk_get(FILE *f)
{
    struct pk_file *p = (struct pk_file *)f;
    if (p->pos >= p->len) {
        /* Show any prompt before blocking on input. */
        pk_flush(stdout);
        ssize_t n = read(p->fd, p->buf, (size_t)p->size);
        if (n < 0)
            return _FDEV_ERR;
        if (n == 0)
            return _FDEV_EOF;
        p->len = (int)n;
        p->pos = 0;
    }
    return (unsigned char)p->buf[p->pos++];
}

__attribute__((destructor)) static void pk_stdio_exit(void)
{
    pk_flush(stdout);
    pk_flush(stderr);
}
