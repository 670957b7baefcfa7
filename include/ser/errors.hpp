// The reply a SerError stands for (SER's err2reason): the code and text of
// sl_reply_error() and of tm's error replies, which add "(<n>/SL)" or
// "(<n>/TM)".
#pragma once

namespace ser {

struct ErrorText {
    int code;
    const char* text;
};

ErrorText error_text(int ser_error);

}  // namespace ser
