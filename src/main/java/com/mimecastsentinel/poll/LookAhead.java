package com.mimecastsentinel.poll;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** An iterator that finds its next element when asked whether there is one: {@link #compute()} says which. */
abstract class LookAhead<T> implements Iterator<T> {
    private T next;
    private boolean done;

    /** The next element, or null when there is none any more. */
    protected abstract T compute();

    @Override
    public final boolean hasNext() {
        if (next == null && !done) {
            next = compute();
            done = next == null;
        }
        return next != null;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T element = next;
        next = null;
        return element;
    }
}
