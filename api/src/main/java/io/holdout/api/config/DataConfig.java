package io.holdout.api.config;

import java.util.List;
import java.util.Map;

/**
 * Where the data comes from. See docs/data.md for every source.
 *
 * @param source {@code csv} (default), {@code imagefolder}, {@code voc}, {@code coco}, {@code
 *     shapes} (generated, detection) or {@code shape_classes} (generated, one shape per image,
 *     classified by its kind)
 * @param path file or folder, relative to the config file: the CSV file, the image-folder root, the
 *     VOC root, or the COCO instances JSON (not used by the generated sources)
 * @param features CSV input columns, in order (default: every column that is not a target)
 * @param targets CSV: target name → how to read it
 * @param standardize CSV: fit per-feature mean/std on the training split only, apply to all
 * @param missing CSV missing-value policy: {@code error} (default) or {@code skip}
 * @param delimiter CSV delimiter, default {@code ,}
 * @param images COCO: the image folder (default: next to the JSON, {@code images/})
 * @param imageSize images are resized to this square size (image sources; shapes, shape_classes:
 *     generated size)
 * @param classes image-folder/VOC class names in index order (default: found in the data)
 * @param imageSet VOC: the ImageSets/Main list to read (default: every annotation)
 * @param count shapes, shape_classes: number of generated images
 * @param minObjects shapes: fewest objects per image (default 1)
 * @param maxObjects shapes: most objects per image (default 3)
 * @param noise shapes, shape_classes: pixel noise amplitude in [0, 1] (default 0.1)
 * @param skipBadSamples report and skip unreadable samples instead of failing (default false)
 * @param transforms training augmentations, registered parts run in order on training samples only
 *     (default none; absent from the resolved config when none)
 */
public record DataConfig(
    String source,
    String path,
    List<String> features,
    Map<String, TargetConfig> targets,
    Boolean standardize,
    String missing,
    String delimiter,
    String images,
    Integer imageSize,
    List<String> classes,
    String imageSet,
    Integer count,
    Integer minObjects,
    Integer maxObjects,
    Double noise,
    Boolean skipBadSamples,
    List<TransformConfig> transforms) {}
