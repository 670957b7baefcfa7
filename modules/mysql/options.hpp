// What the module's parameters say about every connection (modules.md §1.1).
#pragma once

namespace ser::mod::mysql {

struct Options {
    int ping_interval_s = 300;   // ping first after this long idle; 0 = never
    bool auto_reconnect = true;  // retry a statement on a lost connection (3 tries in all)
};

}  // namespace ser::mod::mysql
