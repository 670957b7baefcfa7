// Process chores of the daemon: detaching from the terminal, the pid file,
// the open-files limit (four sockets per stream) and dropping privileges.
#pragma once

#include <string>

namespace ser::rtpp {

// fork + setsid + chdir("/") + stdio to /dev/null; the parent exits 0.
// False (still attached) if the fork fails.
bool daemonize(std::string& error);

// Writes "<pid>\n"; removed by the PidFile's destructor.
class PidFile {
public:
    PidFile() = default;
    ~PidFile();
    bool write(const std::string& path, std::string& error);

private:
    std::string path_;
};

// -L n, or without it the soft limit raised to the hard one. Returns the
// limit in force.
long raise_open_files(long wanted);

// -u user[:group]: setgid, initgroups, setuid.
bool drop_privileges(const std::string& spec, std::string& error);

// A unix socket path made absolute (the daemon chdirs to / and must still
// remove it at exit).
std::string absolute_path(const std::string& path);

}  // namespace ser::rtpp
