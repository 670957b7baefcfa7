// Diagnostics with a place: `file:line:col: error: what`, the source line and
// a caret under the column. Shared by the parser, the script compiler and the
// module loader so every config error looks the same.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "parser/ast.hpp"

namespace ser::parser {

struct SourceFile {
    std::string name;  // path as given
    std::string text;  // whole file contents
};

enum class Severity { Error, Warning };

struct Diagnostic {
    Severity severity;
    ast::Pos pos;      // line 0 = no place (e.g. a file that cannot be opened)
    std::string message;
};

class Diagnostics {
public:
    // Files are registered by the parser; Pos::file indexes this list.
    uint32_t add_file(SourceFile f);
    const std::vector<SourceFile>& files() const { return files_; }

    void error(ast::Pos pos, std::string message);
    void warning(ast::Pos pos, std::string message);

    size_t error_count() const { return errors_; }
    const std::vector<Diagnostic>& all() const { return list_; }

    // One diagnostic as text: header line, source line, caret line.
    std::string format(const Diagnostic& d) const;
    // Every diagnostic, in the order they were reported.
    void print(std::ostream& out) const;

private:
    std::vector<SourceFile> files_;
    std::vector<Diagnostic> list_;
    size_t errors_ = 0;
};

}  // namespace ser::parser
