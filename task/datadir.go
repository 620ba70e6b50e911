package task

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DataEnv is the environment variable naming the root folder of the
// datasets: dataset NAME is looked for in $SPIKELAB_DATA/NAME/.
const DataEnv = "SPIKELAB_DATA"

// systemDataDirs are standard install locations, by dataset name.
var systemDataDirs = map[string][]string{
	"fashion-mnist": {"/usr/share/datasets/fashion-mnist"},
	"mnist":         {"/usr/share/datasets/mnist"},
}

// dataHowTo says how to get each dataset.
var dataHowTo = map[string]string{
	"mnist":         "put the four MNIST IDX files (train-images-idx3-ubyte.gz, ...) into $SPIKELAB_DATA/mnist/",
	"fashion-mnist": "apt-get install dataset-fashion-mnist (installs /usr/share/datasets/fashion-mnist/), or put the four IDX files into $SPIKELAB_DATA/fashion-mnist/",
	"shifting":      "put the files of the Shifting Learning data (see README, Datasets) into $SPIKELAB_DATA/shifting/",
	"maes":          "put the ModelDB 257609 data files (see README, Datasets) into $SPIKELAB_DATA/maes/",
	"force":         "put the ModelDB 190565 data files (see README, Datasets) into $SPIKELAB_DATA/force/",
	"mocap":         "put the CMU motion-capture files (see README, Datasets) into $SPIKELAB_DATA/mocap/",
}

// FindDataset returns the folder of dataset name that holds all the files
// listed in need (for each, any one of its alternatives separated by "|",
// e.g. "train-images-idx3-ubyte.gz|train-images-idx3-ubyte"). It looks, in
// order, at the configured folder (if not empty, and then only there), at
// $SPIKELAB_DATA/name, and at the standard system locations. The error
// lists every place it looked and how to get the data.
func FindDataset(name, configured string, need ...string) (string, error) {
	var places []string
	if configured != "" {
		places = []string{configured}
	} else {
		if root := os.Getenv(DataEnv); root != "" {
			places = append(places, filepath.Join(root, name))
		}
		places = append(places, systemDataDirs[name]...)
	}
	var looked []string
	for _, dir := range places {
		missing := missingFiles(dir, need)
		if len(missing) == 0 {
			return dir, nil
		}
		looked = append(looked, fmt.Sprintf("%s (missing %s)", dir, strings.Join(missing, ", ")))
	}
	if configured == "" && os.Getenv(DataEnv) == "" {
		looked = append([]string{"$" + DataEnv + " (not set)"}, looked...)
	}
	how := dataHowTo[name]
	if how == "" {
		how = "put its files into $" + DataEnv + "/" + name + "/"
	}
	return "", fmt.Errorf("dataset %q not found; looked in: %s. To get it: %s", name, strings.Join(looked, "; "), how)
}

func missingFiles(dir string, need []string) []string {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return []string{"the folder itself"}
	}
	var missing []string
	for _, alts := range need {
		found := false
		for _, f := range strings.Split(alts, "|") {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, strings.Split(alts, "|")[0])
		}
	}
	return missing
}
