/**
 * Extension points: a {@link io.holdout.api.extension.Plugin} found through {@link
 * java.util.ServiceLoader} records named factories in a {@link io.holdout.api.extension.Registry};
 * {@link io.holdout.api.extension.Extensions} collects them and {@link
 * io.holdout.api.extension.Parts} looks them up by the names a config uses.
 */
package io.holdout.api.extension;
