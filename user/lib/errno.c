/*
 * errno.c - Linux errno values to picolibc's, and pk_ret().
 *
 * The kernel returns Linux errno values (negated).  picolibc's <errno.h>
 * numbers agree with Linux up to 34 (ERANGE) and differ above (ENOSYS is 38 on
 * Linux, 88 in picolibc), so the C-convention wrappers translate: code can
 * then compare errno with <errno.h>'s names and strerror() tells the truth.
 * Table: every name both define with different numbers (generated from
 * <asm-generic/errno.h> and picolibc's <sys/errno.h>; numbers, as some
 * names are hidden behind picolibc feature macros).
 */
#include <errno.h>

#include "pakaya.h"

#define PK_LINUX_ERRNO_MAX 134

static const unsigned char linux_to_picolibc[PK_LINUX_ERRNO_MAX] = {
    [35] = 45, /* EDEADLK */
    [36] = 91, /* ENAMETOOLONG */
    [37] = 46, /* ENOLCK */
    [38] = 88, /* ENOSYS */
    [39] = 90, /* ENOTEMPTY */
    [40] = 92, /* ELOOP */
    [42] = 35, /* ENOMSG */
    [43] = 36, /* EIDRM */
    [44] = 37, /* ECHRNG */
    [45] = 38, /* EL2NSYNC */
    [46] = 39, /* EL3HLT */
    [47] = 40, /* EL3RST */
    [48] = 41, /* ELNRNG */
    [49] = 42, /* EUNATCH */
    [50] = 43, /* ENOCSI */
    [51] = 44, /* EL2HLT */
    [52] = 50, /* EBADE */
    [53] = 51, /* EBADR */
    [54] = 52, /* EXFULL */
    [55] = 53, /* ENOANO */
    [56] = 54, /* EBADRQC */
    [57] = 55, /* EBADSLT */
    [59] = 57, /* EBFONT */
    [72] = 74, /* EMULTIHOP */
    [73] = 76, /* EDOTDOT */
    [74] = 77, /* EBADMSG */
    [75] = 139, /* EOVERFLOW */
    [76] = 80, /* ENOTUNIQ */
    [77] = 81, /* EBADFD */
    [78] = 82, /* EREMCHG */
    [79] = 83, /* ELIBACC */
    [80] = 84, /* ELIBBAD */
    [81] = 85, /* ELIBSCN */
    [82] = 86, /* ELIBMAX */
    [83] = 87, /* ELIBEXEC */
    [84] = 138, /* EILSEQ */
    [86] = 143, /* ESTRPIPE */
    [87] = 131, /* EUSERS */
    [88] = 108, /* ENOTSOCK */
    [89] = 121, /* EDESTADDRREQ */
    [90] = 122, /* EMSGSIZE */
    [91] = 107, /* EPROTOTYPE */
    [92] = 109, /* ENOPROTOOPT */
    [93] = 123, /* EPROTONOSUPPORT */
    [94] = 124, /* ESOCKTNOSUPPORT */
    [97] = 106, /* EAFNOSUPPORT */
    [98] = 112, /* EADDRINUSE */
    [99] = 125, /* EADDRNOTAVAIL */
    [100] = 115, /* ENETDOWN */
    [101] = 114, /* ENETUNREACH */
    [102] = 126, /* ENETRESET */
    [103] = 113, /* ECONNABORTED */
    [106] = 127, /* EISCONN */
    [107] = 128, /* ENOTCONN */
    [108] = 110, /* ESHUTDOWN */
    [109] = 129, /* ETOOMANYREFS */
    [110] = 116, /* ETIMEDOUT */
    [112] = 117, /* EHOSTDOWN */
    [113] = 118, /* EHOSTUNREACH */
    [114] = 120, /* EALREADY */
    [115] = 119, /* EINPROGRESS */
    [116] = 133, /* ESTALE */
    [122] = 132, /* EDQUOT */
    [123] = 135, /* ENOMEDIUM */
    [125] = 140, /* ECANCELED */
    [130] = 142, /* EOWNERDEAD */
    [131] = 141, /* ENOTRECOVERABLE */
};

int pk_errno_from_linux(int e)
{
    if (e > 0 && e < PK_LINUX_ERRNO_MAX && linux_to_picolibc[e] != 0)
        return linux_to_picolibc[e];
    return e;
}

long pk_ret(long raw)
{
    if (PK_IS_ERR(raw)) {
        errno = pk_errno_from_linux((int)-raw);
        return -1;
    }
    return raw;
}
