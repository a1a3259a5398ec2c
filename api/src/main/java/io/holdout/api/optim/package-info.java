/** Engine-neutral optimizer specifications. */
package io.holdout.api.optim;
