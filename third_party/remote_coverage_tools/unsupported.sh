#!/bin/sh
echo "nabla: 'bazel coverage' needs Bazel's remote coverage tools, which cannot be downloaded offline" >&2
exit 1
