#ifndef CHATPANEL_CPROTOBUFC_SHIM_H
#define CHATPANEL_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
