/*
 * plugin_nosym.c - a shared object without a plugin descriptor.
 */
int pxb_not_a_plugin(void);
int pxb_not_a_plugin(void)
{
	return 42;
}
