// The Snowball stemmers of Debian's libstemmer-dev (libstemmer.so.0d).
#include <libstemmer.h>
