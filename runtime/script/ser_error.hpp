// SER's ser_error / prev_ser_error: the error code of the current and of the
// previous action, per worker (a thread here, a process in SER). The engine
// resets them around every action; sl_reply_error()/tm read them through
// Core::prev_error(). Plain thread-locals: touched twice per action.
#pragma once

namespace ser::script {

inline thread_local int t_ser_error = -1;       // E_UNSPEC
inline thread_local int t_prev_ser_error = -1;

}  // namespace ser::script
