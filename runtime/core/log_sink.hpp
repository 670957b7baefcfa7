// Configuration of the log sink (the core sets it; modules only log).
#pragma once

namespace ser {
void set_log_level(int level);
int log_level();
void set_log_stderr(bool on);
void set_log_facility(int facility);
void set_log_process_index(int idx);
void open_syslog(const char* ident);
}  // namespace ser
