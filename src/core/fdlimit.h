/*
 * fdlimit — raises the process's open-file limit to its hard limit, since
 * load tests (and the target serving them) hold many sockets at once.
 */
#ifndef TG_CORE_FDLIMIT_H
#define TG_CORE_FDLIMIT_H

#include <stddef.h>

/* Raises the soft RLIMIT_NOFILE to the hard limit; returns the resulting soft limit. */
size_t tg_fdlimit_raise(void);

#endif
