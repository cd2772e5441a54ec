#ifndef NABLA_AUTODIFF_EXPORT_H_
#define NABLA_AUTODIFF_EXPORT_H_

/// Pictures of a graph: Graphviz DOT and a self-contained HTML page.
///
/// Both show everything `outputs` depend on: leaves (parameters and
/// constants), placeholders and ops, each with its name, op and shape (once
/// computed), and whether it requires grad. Export before backward(): a
/// define-by-run graph is released by it.
///
///   std::ofstream("mlp.dot") << to_dot({loss});   // dot -Tpng mlp.dot
///   std::ofstream("mlp.html") << to_html({loss}, "MLP");

#include <string>
#include <vector>

#include "autodiff/variable.h"

namespace nabla {

std::string to_dot(const std::vector<Variable>& outputs);

/// An HTML page with the graph drawn as inline SVG, layered from inputs
/// (top) to outputs (bottom); it loads nothing from elsewhere.
std::string to_html(const std::vector<Variable>& outputs, const std::string& title = "nabla graph");

}  // namespace nabla

#endif  // NABLA_AUTODIFF_EXPORT_H_
