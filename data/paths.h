#ifndef NABLA_DATA_PATHS_H_
#define NABLA_DATA_PATHS_H_

/// Where the real datasets live.
///
/// `bash tools/fetch_data.sh` fills one data directory:
///   $NABLA_DATA_DIR when that is set and not empty, else /var/lib/nabla/data
/// (`bash tools/fetch_data.sh --data_dir DIR` fills another; point
/// NABLA_DATA_DIR at it). Under it:
///   fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
///   mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte
///   sklearn/{iris.csv, wine_data.csv, breast_cancer.csv, digits.csv.gz}
///
///   std::string images = dataset_file("fashion-mnist/train-images-idx3-ubyte.gz");

#include <string>

namespace nabla::data {

/// The data directory, as above.
std::string data_dir();

/// data_dir() + "/" + relative_path. Throws nabla::Error naming the file
/// and the command that fetches it when the file does not exist.
std::string dataset_file(const std::string& relative_path);

}  // namespace nabla::data

#endif  // NABLA_DATA_PATHS_H_
