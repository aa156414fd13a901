// Compiled with only the domain layer's include path: the domain may not include storage, so this
// must fail to build (the header is not on the domain's include path).
#include "parley/domain/message.h"
#include "parley/storage/store.h"

int main() { return 0; }
