package io.holdout.api.config;

import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import java.util.List;

/**
 * The api's tests load configs but open no data: this fixture registers the names of the datasets
 * module's sources and split types (which the api cannot depend on), with factories that refuse to
 * run, so that config validation sees the same registered names as a real class path.
 */
public final class NamesOnlyPlugin implements Plugin {
  @Override
  public String name() {
    return "api-test-names";
  }

  @Override
  public void register(Registry r) {
    for (String source : List.of("csv", "imagefolder", "voc", "coco", "shapes", "shape_classes")) {
      r.dataSource(source, (d, c) -> {
        throw new IllegalStateException("the api's tests open no data");
      });
    }
    for (String type : List.of("random", "stratified", "ordered", "kfold", "lists", "manifest")) {
      r.splitter(type, (s, c) -> {
        throw new IllegalStateException("the api's tests split no data");
      });
    }
  }
}
