#ifndef AGON_CLIBPQ_SHIM_H
#define AGON_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
