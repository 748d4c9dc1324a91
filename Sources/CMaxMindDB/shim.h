// libmaxminddb (Debian libmaxminddb-dev): reads an operator's .mmdb city database.
#include <maxminddb.h>
