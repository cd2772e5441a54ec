#include "autodiff/export.h"

#include <algorithm>
#include <sstream>
#include <string_view>
#include <unordered_map>

namespace nabla {
namespace {

using internal::Node;

// Every node the outputs depend on, inputs before their users.
std::vector<const Node*> collect(const std::vector<Variable>& outputs) {
  std::vector<const Node*> order;
  std::unordered_map<const Node*, bool> seen;
  std::vector<std::pair<const Node*, std::size_t>> stack;
  for (const Variable& output : outputs) {
    NABLA_CHECK(output.defined(), "export: an output variable is undefined");
    if (seen[output.node().get()]) continue;
    seen[output.node().get()] = true;
    stack.emplace_back(output.node().get(), 0);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        const Node* input = node->inputs[next++].get();
        if (!seen[input]) {
          seen[input] = true;
          stack.emplace_back(input, 0);
        }
        continue;
      }
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

std::string kind(const Node& node) {
  if (std::string_view(node.op) == "placeholder") return "placeholder";
  if (std::string_view(node.op) != "leaf") return "op";
  return node.requires_grad ? "parameter" : "constant";
}

std::string shape_text(const Node& node) {
  std::ostringstream out;
  if (node.value.defined()) {
    out << node.value.shape();
  } else if (std::string_view(node.op) == "placeholder") {
    out << node.placeholder_shape;
  } else {
    out << "(not run)";
  }
  return out.str();
}

std::string label(const Node& node) {
  std::string text = node.name.empty() ? std::string(node.op) : node.name;
  if (!node.name.empty() && std::string_view(node.op) != "leaf" && std::string_view(node.op) != "placeholder") {
    text += " (" + std::string(node.op) + ")";
  }
  return text;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// In a DOT string Graphviz reads a backslash as an escape (\n, \l, \N):
// a name's own backslashes and line breaks are escaped for it.
std::string escape_dot(const std::string& text) {
  std::string out;
  for (char c : escape(text)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

const char* fill(const std::string& node_kind, bool requires_grad) {
  if (node_kind == "placeholder") return "#fff2cc";
  if (node_kind == "parameter") return "#d5e8d4";
  if (node_kind == "constant") return "#eeeeee";
  return requires_grad ? "#dae8fc" : "#ffffff";
}

}  // namespace

std::string to_dot(const std::vector<Variable>& outputs) {
  const std::vector<const Node*> nodes = collect(outputs);
  std::unordered_map<const Node*, std::size_t> id;
  for (std::size_t i = 0; i < nodes.size(); ++i) id[nodes[i]] = i;
  std::ostringstream dot;
  dot << "digraph nabla {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = *nodes[i];
    const std::string node_kind = kind(node);
    dot << "  n" << i << " [label=\"" << escape_dot(label(node)) << "\\n" << shape_text(node)
        << (node.requires_grad ? "\\nrequires grad" : "") << "\", fillcolor=\"" << fill(node_kind, node.requires_grad)
        << "\"" << (node_kind == "op" ? "" : ", shape=ellipse") << "];\n";
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& input : nodes[i]->inputs) dot << "  n" << id[input.get()] << " -> n" << i << ";\n";
  }
  dot << "}\n";
  return dot.str();
}

std::string to_html(const std::vector<Variable>& outputs, const std::string& title) {
  const std::vector<const Node*> nodes = collect(outputs);
  // Layer = longest path from a source, so every edge points downwards.
  std::unordered_map<const Node*, int> layer;
  int layers = 0;
  for (const Node* node : nodes) {
    int depth = 0;
    for (const auto& input : node->inputs) depth = std::max(depth, layer[input.get()] + 1);
    layer[node] = depth;
    layers = std::max(layers, depth + 1);
  }
  constexpr int kWidth = 170, kHeight = 54, kGapX = 30, kGapY = 46, kMargin = 20;
  std::vector<int> filled(layers, 0);
  std::unordered_map<const Node*, std::pair<int, int>> position;
  for (const Node* node : nodes) {
    const int column = filled[layer[node]]++;
    position[node] = {kMargin + column * (kWidth + kGapX), kMargin + layer[node] * (kHeight + kGapY)};
  }
  const int columns = layers == 0 ? 0 : *std::max_element(filled.begin(), filled.end());
  const int width = 2 * kMargin + columns * (kWidth + kGapX);
  const int height = 2 * kMargin + layers * (kHeight + kGapY);

  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << escape(title) << "</title>\n"
       << "<style>body{font-family:Helvetica,Arial,sans-serif;margin:16px} text{font-size:12px}"
       << " .legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #888;"
          "border-radius:4px}</style>\n"
       << "</head><body>\n<h1>" << escape(title) << "</h1>\n<p class=\"legend\">"
       << "<span style=\"background:#fff2cc\">placeholder</span><span style=\"background:#d5e8d4\">parameter</span>"
       << "<span style=\"background:#eeeeee\">constant</span><span style=\"background:#dae8fc\">op, requires grad</span>"
       << "<span style=\"background:#ffffff\">op</span> " << nodes.size() << " nodes</p>\n"
       << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\">\n"
       << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
          "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n";
  for (const Node* node : nodes) {
    const auto [x, y] = position[node];
    for (const auto& input : node->inputs) {
      const auto [from_x, from_y] = position[input.get()];
      html << "<path d=\"M" << from_x + kWidth / 2 << "," << from_y + kHeight << " C" << from_x + kWidth / 2 << ","
           << from_y + kHeight + kGapY / 2 << " " << x + kWidth / 2 << "," << y - kGapY / 2 << " " << x + kWidth / 2
           << "," << y << "\" fill=\"none\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\n";
    }
  }
  for (const Node* node : nodes) {
    const auto [x, y] = position[node];
    const std::string node_kind = kind(*node);
    html << "<g><title>" << escape(node_kind + ": " + label(*node) + " " + shape_text(*node)) << "</title>"
         << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << kWidth << "\" height=\"" << kHeight
         << "\" rx=\"" << (node_kind == "op" ? 6 : 20) << "\" fill=\"" << fill(node_kind, node->requires_grad)
         << "\" stroke=\"#333\"/>"
         << "<text x=\"" << x + kWidth / 2 << "\" y=\"" << y + 22 << "\" text-anchor=\"middle\" font-weight=\"bold\">"
         << escape(label(*node)) << "</text>"
         << "<text x=\"" << x + kWidth / 2 << "\" y=\"" << y + 40 << "\" text-anchor=\"middle\">"
         << escape(shape_text(*node)) << "</text></g>\n";
  }
  html << "</svg>\n</body></html>\n";
  return html.str();
}

}  // namespace nabla
