/* Keeps the support library non-empty when there are no helpers yet. */
typedef int alloclab_test_support_empty;
