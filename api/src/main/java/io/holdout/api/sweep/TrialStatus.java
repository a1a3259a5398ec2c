package io.holdout.api.sweep;

import java.io.Serializable;

/**
 * What a trial ended with. The trial's figures are in its run folder; this is only the verdict.
 *
 * @param id the trial's id
 * @param ok whether the trial trained, validated and tested
 * @param error one line saying why it failed; empty when {@code ok}
 */
public record TrialStatus(String id, boolean ok, String error) implements Serializable {
  private static final long serialVersionUID = 1L;

  public static TrialStatus ok(String id) {
    return new TrialStatus(id, true, "");
  }

  public static TrialStatus failed(String id, String error) {
    return new TrialStatus(id, false, error == null ? "" : error);
  }
}
