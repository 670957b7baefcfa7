#include "runtime/app/app.hpp"

int main(int argc, char** argv) { return ser::app::ser_main(argc, argv); }
