package io.holdout.api.extension;

import java.util.List;

/**
 * The names of the callbacks every run has unless its config switches them off, in the order they
 * run ({@link Extensions#defaultCallbacks()}); bound beside the callback map binding.
 *
 * @param names registered callback names, in run order
 */
public record DefaultCallbacks(List<String> names) {
  public DefaultCallbacks {
    names = List.copyOf(names);
  }
}
