/** Implementation helpers of the datasets module; not a public API. */
package io.holdout.datasets.internal;
