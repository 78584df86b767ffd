"""cffi out-of-line (API mode) build of the libxcb MIT-SHM binding.

The C compiler checks every declaration below against the real xcb headers, so
no struct layout is guessed. setup.py runs this at install time and produces the
extension module ``shm._xcb_shm``.
"""
import cffi

ffibuilder = cffi.FFI()

ffibuilder.cdef(
    """
    typedef struct xcb_connection_t xcb_connection_t;
    typedef uint32_t xcb_window_t;
    typedef uint32_t xcb_drawable_t;
    typedef uint32_t xcb_gcontext_t;
    typedef uint32_t xcb_pixmap_t;
    typedef uint32_t xcb_shm_seg_t;
    typedef uint32_t xcb_visualid_t;

    typedef struct { unsigned int sequence; } xcb_void_cookie_t;
    typedef struct { unsigned int sequence; } xcb_shm_query_version_cookie_t;
    typedef struct { unsigned int sequence; } xcb_shm_get_image_cookie_t;
    typedef struct { unsigned int sequence; } xcb_get_input_focus_cookie_t;

    typedef struct {
        uint8_t  response_type;
        uint16_t sequence;
        ...;
    } xcb_get_input_focus_reply_t;

    typedef struct {
        uint8_t  response_type;
        uint8_t  error_code;
        uint16_t sequence;
        uint32_t resource_id;
        uint16_t minor_code;
        uint8_t  major_code;
        ...;
    } xcb_generic_error_t;

    typedef struct {
        uint8_t  response_type;
        uint16_t sequence;
        ...;
    } xcb_generic_event_t;

    typedef struct {
        xcb_window_t   root;
        uint32_t       white_pixel;
        uint32_t       black_pixel;
        uint16_t       width_in_pixels;
        uint16_t       height_in_pixels;
        xcb_visualid_t root_visual;
        uint8_t        root_depth;
        ...;
    } xcb_screen_t;

    typedef struct {
        xcb_screen_t *data;
        int           rem;
        int           index;
    } xcb_screen_iterator_t;

    typedef struct xcb_setup_t xcb_setup_t;
    typedef struct xcb_extension_t xcb_extension_t;

    typedef struct {
        uint8_t  response_type;
        uint16_t sequence;
        uint32_t length;
        uint8_t  present;
        uint8_t  major_opcode;
        uint8_t  first_event;
        uint8_t  first_error;
        ...;
    } xcb_query_extension_reply_t;

    extern xcb_extension_t xcb_shm_id;

    typedef struct {
        uint8_t  response_type;
        uint8_t  shared_pixmaps;
        uint16_t sequence;
        uint32_t length;
        uint16_t major_version;
        uint16_t minor_version;
        uint16_t uid;
        uint16_t gid;
        uint8_t  pixmap_format;
        ...;
    } xcb_shm_query_version_reply_t;

    typedef struct {
        uint8_t        response_type;
        uint8_t        depth;
        uint16_t       sequence;
        uint32_t       length;
        xcb_visualid_t visual;
        uint32_t       size;
        ...;
    } xcb_shm_get_image_reply_t;

    #define XCB_IMAGE_FORMAT_Z_PIXMAP ...
    #define XCB_CONN_ERROR ...
    #define XCB_CONN_CLOSED_EXT_NOTSUPPORTED ...
    #define XCB_CONN_CLOSED_MEM_INSUFFICIENT ...
    #define XCB_CONN_CLOSED_REQ_LEN_EXCEED ...
    #define XCB_CONN_CLOSED_PARSE_ERR ...
    #define XCB_CONN_CLOSED_INVALID_SCREEN ...
    #define XCB_CONN_CLOSED_FDPASSING_FAILED ...
    #define XCB_GC_FOREGROUND ...
    #define XCB_GC_GRAPHICS_EXPOSURES ...
    #define XCB_GC_SUBWINDOW_MODE ...
    #define XCB_SUBWINDOW_MODE_INCLUDE_INFERIORS ...

    xcb_connection_t *xcb_connect(const char *displayname, int *screenp);
    int xcb_connection_has_error(xcb_connection_t *c);
    void xcb_disconnect(xcb_connection_t *c);
    int xcb_flush(xcb_connection_t *c);
    int xcb_get_file_descriptor(xcb_connection_t *c);
    uint32_t xcb_generate_id(xcb_connection_t *c);
    const xcb_setup_t *xcb_get_setup(xcb_connection_t *c);
    xcb_screen_iterator_t xcb_setup_roots_iterator(const xcb_setup_t *R);
    void xcb_screen_next(xcb_screen_iterator_t *i);
    xcb_generic_error_t *xcb_request_check(xcb_connection_t *c, xcb_void_cookie_t cookie);
    xcb_generic_event_t *xcb_poll_for_event(xcb_connection_t *c);
    const xcb_query_extension_reply_t *xcb_get_extension_data(xcb_connection_t *c,
        xcb_extension_t *ext);

    xcb_get_input_focus_cookie_t xcb_get_input_focus(xcb_connection_t *c);
    xcb_get_input_focus_reply_t *xcb_get_input_focus_reply(xcb_connection_t *c,
        xcb_get_input_focus_cookie_t cookie, xcb_generic_error_t **e);

    xcb_void_cookie_t xcb_create_gc_checked(xcb_connection_t *c, xcb_gcontext_t cid,
        xcb_drawable_t drawable, uint32_t value_mask, const void *value_list);
    xcb_void_cookie_t xcb_free_gc_checked(xcb_connection_t *c, xcb_gcontext_t gc);
    xcb_void_cookie_t xcb_free_pixmap_checked(xcb_connection_t *c, xcb_pixmap_t pixmap);
    xcb_void_cookie_t xcb_copy_area_checked(xcb_connection_t *c, xcb_drawable_t src_drawable,
        xcb_drawable_t dst_drawable, xcb_gcontext_t gc, int16_t src_x, int16_t src_y,
        int16_t dst_x, int16_t dst_y, uint16_t width, uint16_t height);

    xcb_shm_query_version_cookie_t xcb_shm_query_version(xcb_connection_t *c);
    xcb_shm_query_version_reply_t *xcb_shm_query_version_reply(xcb_connection_t *c,
        xcb_shm_query_version_cookie_t cookie, xcb_generic_error_t **e);

    xcb_void_cookie_t xcb_shm_attach_fd_checked(xcb_connection_t *c, xcb_shm_seg_t shmseg,
        int32_t shm_fd, uint8_t read_only);
    xcb_void_cookie_t xcb_shm_detach_checked(xcb_connection_t *c, xcb_shm_seg_t shmseg);
    xcb_void_cookie_t xcb_shm_create_pixmap_checked(xcb_connection_t *c, xcb_pixmap_t pid,
        xcb_drawable_t drawable, uint16_t width, uint16_t height, uint8_t depth,
        xcb_shm_seg_t shmseg, uint32_t offset);

    xcb_shm_get_image_cookie_t xcb_shm_get_image(xcb_connection_t *c, xcb_drawable_t drawable,
        int16_t x, int16_t y, uint16_t width, uint16_t height, uint32_t plane_mask,
        uint8_t format, xcb_shm_seg_t shmseg, uint32_t offset);
    xcb_shm_get_image_reply_t *xcb_shm_get_image_reply(xcb_connection_t *c,
        xcb_shm_get_image_cookie_t cookie, xcb_generic_error_t **e);

    xcb_void_cookie_t xcb_shm_put_image(xcb_connection_t *c, xcb_drawable_t drawable,
        xcb_gcontext_t gc, uint16_t total_width, uint16_t total_height, uint16_t src_x,
        uint16_t src_y, uint16_t src_width, uint16_t src_height, int16_t dst_x, int16_t dst_y,
        uint8_t depth, uint8_t format, uint8_t send_event, xcb_shm_seg_t shmseg, uint32_t offset);

    /* DAMAGE: the agent tracks and subtracts damage on the connection that
       captures, so a subtract is ordered before the capture that follows it. */
    typedef uint32_t xcb_damage_damage_t;
    typedef uint32_t xcb_xfixes_region_t;
    typedef struct { unsigned int sequence; } xcb_damage_query_version_cookie_t;

    typedef struct {
        int16_t  x;
        int16_t  y;
        uint16_t width;
        uint16_t height;
    } xcb_rectangle_t;

    typedef struct {
        uint8_t  response_type;
        uint16_t sequence;
        uint32_t length;
        uint32_t major_version;
        uint32_t minor_version;
        ...;
    } xcb_damage_query_version_reply_t;

    typedef struct {
        uint8_t             response_type;
        uint8_t             level;
        uint16_t            sequence;
        xcb_drawable_t      drawable;
        xcb_damage_damage_t damage;
        uint32_t            timestamp;
        xcb_rectangle_t     area;
        xcb_rectangle_t     geometry;
    } xcb_damage_notify_event_t;

    extern xcb_extension_t xcb_damage_id;

    #define XCB_DAMAGE_NOTIFY ...
    #define XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES ...
    #define XCB_DAMAGE_REPORT_LEVEL_DELTA_RECTANGLES ...

    xcb_generic_event_t *xcb_poll_for_queued_event(xcb_connection_t *c);
    xcb_damage_query_version_cookie_t xcb_damage_query_version(xcb_connection_t *c,
        uint32_t client_major_version, uint32_t client_minor_version);
    xcb_damage_query_version_reply_t *xcb_damage_query_version_reply(xcb_connection_t *c,
        xcb_damage_query_version_cookie_t cookie, xcb_generic_error_t **e);
    xcb_void_cookie_t xcb_damage_create(xcb_connection_t *c, xcb_damage_damage_t damage,
        xcb_drawable_t drawable, uint8_t level);
    xcb_void_cookie_t xcb_damage_destroy(xcb_connection_t *c, xcb_damage_damage_t damage);
    xcb_void_cookie_t xcb_damage_subtract(xcb_connection_t *c, xcb_damage_damage_t damage,
        xcb_xfixes_region_t repair, xcb_xfixes_region_t parts);

    void free(void *ptr);
    """
)

ffibuilder.set_source(
    "shm._xcb_shm",
    """
    #include <stdlib.h>
    #include <xcb/xcb.h>
    #include <xcb/shm.h>
    #include <xcb/damage.h>
    """,
    libraries=["xcb", "xcb-shm", "xcb-damage"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
