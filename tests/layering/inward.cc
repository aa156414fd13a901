// Compiled with only the domain layer's include path: an include of an inner layer works.
#include "parley/core/result.h"
#include "parley/domain/message.h"

int main() { return parley::domain::Message().text.empty() ? 0 : 1; }
