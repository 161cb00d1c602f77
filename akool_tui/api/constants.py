"""Values from the API reference that light modules (config, CLI) need without
importing the models."""

#: the avatar a session uses when none is given (spec section 3)
DEFAULT_AVATAR_ID = "dvp_Tristan_cloth2_1080P"
