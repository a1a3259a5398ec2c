package io.holdout.api.sweep;

import java.io.Serializable;

/**
 * One trial of a sweep, as handed to an executor: plain strings, so it travels to another JVM.
 *
 * @param id the trial's stable id (its folder name)
 * @param trialDir the trial's run folder, on a path every executor can write (absolute)
 * @param configYaml the trial's full experiment config (the base with the trial's values set)
 * @param configName what messages call the config (the sweep file and the trial id)
 * @param baseDir the directory that relative data paths in the config resolve against (absolute)
 * @param resume whether an interrupted run in {@code trialDir} should be continued rather than
 *     started afresh
 */
public record TrialTask(String id, String trialDir, String configYaml, String configName, String baseDir,
    boolean resume) implements Serializable {
  private static final long serialVersionUID = 1L;
}
