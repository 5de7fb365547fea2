use crate::Primitive;
use crate::core::renderer::Quad;
use crate::core::{
    Background, Color, Gradient, Rectangle, Size, Transformation, Vector,
};
use crate::graphics::{Image, Text};
use crate::text;

#[derive(Debug)]
pub struct Engine {
    text_pipeline: text::Pipeline,

    #[cfg(feature = "image")]
    pub(crate) raster_pipeline: crate::raster::Pipeline,
    #[cfg(feature = "svg")]
    pub(crate) vector_pipeline: crate::vector::Pipeline,
}

impl Engine {
    pub fn new() -> Self {
        Self {
            text_pipeline: text::Pipeline::new(),
            #[cfg(feature = "image")]
            raster_pipeline: crate::raster::Pipeline::new(),
            #[cfg(feature = "svg")]
            vector_pipeline: crate::vector::Pipeline::new(),
        }
    }

    pub fn draw_quad(
        &mut self,
        quad: &Quad,
        background: &Background,
        transformation: Transformation,
        pixels: &mut tiny_skia::PixmapMut<'_>,
        clip_mask: &mut tiny_skia::Mask,
        clip_bounds: Rectangle,
    ) {
        let physical_bounds = quad.bounds * transformation;

        if !clip_bounds.intersects(&physical_bounds) {
            return;
        }

        let clip_mask = (!physical_bounds.is_within(&clip_bounds))
            .then_some(clip_mask as &_);

        // Atalaia patch (see PATCHED.md): a quad that sticks out of a rectangular clip is drawn
        // into a scratch copy of the part of the window both cover, with no mask — tiny-skia
        // would otherwise rasterise all of it and blend every pixel through the mask.
        // A border thicker than twice a corner's radius takes the published code's own
        // local-coordinate path (a temporary pixmap and mask): left as published.
        let half = (quad.bounds.width / 2.0).min(quad.bounds.height / 2.0);
        let border = quad.border.width.min(half);
        let simple_corners = border <= 0.0
            || <[f32; 4]>::from(quad.border.radius)
                .iter()
                .all(|r| *r <= 0.0 || r.min(half) > border / 2.0);

        if let Some(mask) = clip_mask
            && quad.shadow.color.a <= 0.0
            && simple_corners
            && let Some(clip) = clip_pixels(mask)
        {
            let area = [
                clip[0].max(outward(physical_bounds.x, -1.0)),
                clip[1].max(outward(physical_bounds.y, -1.0)),
                clip[2].min(outward(physical_bounds.x + physical_bounds.width, 1.0)),
                clip[3].min(outward(physical_bounds.y + physical_bounds.height, 1.0)),
            ];
            let shift = Transformation::translate(-(area[0] as f32), -(area[1] as f32));

            // tiny-skia rounds a curve cut by the pixmap's edge visibly differently: a cut
            // through a rounded corner is drawn through the mask, as published.
            if cuts_a_corner(quad, transformation.scale_factor(), physical_bounds, area) {
                self.fill_quad(
                    quad,
                    background,
                    transformation,
                    physical_bounds,
                    pixels,
                    Some(mask),
                );

                return;
            }

            within(pixels, area, |scratch, all| {
                self.fill_quad(
                    quad,
                    background,
                    shift * transformation,
                    physical_bounds,
                    scratch,
                    Some(all),
                );
            });

            return;
        }

        self.fill_quad(
            quad,
            background,
            transformation,
            physical_bounds,
            pixels,
            clip_mask,
        );
    }

    fn fill_quad(
        &mut self,
        quad: &Quad,
        background: &Background,
        transformation: Transformation,
        physical_bounds: Rectangle,
        pixels: &mut tiny_skia::PixmapMut<'_>,
        clip_mask: Option<&tiny_skia::Mask>,
    ) {
        let transform = into_transform(transformation);

        // Make sure the border radius is not larger than the bounds
        let border_width = quad
            .border
            .width
            .min(quad.bounds.width / 2.0)
            .min(quad.bounds.height / 2.0);

        let mut fill_border_radius = <[f32; 4]>::from(quad.border.radius);

        for radius in &mut fill_border_radius {
            *radius = (*radius)
                .min(quad.bounds.width / 2.0)
                .min(quad.bounds.height / 2.0);
        }

        let path = rounded_rectangle(quad.bounds, fill_border_radius);

        let shadow = quad.shadow;

        if shadow.color.a > 0.0 {
            let shadow_bounds = Rectangle {
                x: quad.bounds.x + shadow.offset.x - shadow.blur_radius,
                y: quad.bounds.y + shadow.offset.y - shadow.blur_radius,
                width: quad.bounds.width + shadow.blur_radius * 2.0,
                height: quad.bounds.height + shadow.blur_radius * 2.0,
            } * transformation;

            let radii = fill_border_radius
                .into_iter()
                .map(|radius| radius * transformation.scale_factor())
                .collect::<Vec<_>>();
            let (x, y, width, height) = (
                shadow_bounds.x as u32,
                shadow_bounds.y as u32,
                shadow_bounds.width as u32,
                shadow_bounds.height as u32,
            );
            let half_width = physical_bounds.width / 2.0;
            let half_height = physical_bounds.height / 2.0;

            let colors = (y..y + height)
                .flat_map(|y| (x..x + width).map(move |x| (x as f32, y as f32)))
                .filter_map(|(x, y)| {
                    tiny_skia::Size::from_wh(half_width, half_height).map(
                        |size| {
                            let shadow_distance = rounded_box_sdf(
                                Vector::new(
                                    x - physical_bounds.position().x
                                        - (shadow.offset.x
                                            * transformation.scale_factor())
                                        - half_width,
                                    y - physical_bounds.position().y
                                        - (shadow.offset.y
                                            * transformation.scale_factor())
                                        - half_height,
                                ),
                                size,
                                &radii,
                            )
                            .max(0.0);
                            let shadow_alpha = 1.0
                                - smoothstep(
                                    -shadow.blur_radius
                                        * transformation.scale_factor(),
                                    shadow.blur_radius
                                        * transformation.scale_factor(),
                                    shadow_distance,
                                );

                            let mut color = into_color(shadow.color);
                            color.apply_opacity(shadow_alpha);

                            color.to_color_u8().premultiply()
                        },
                    )
                })
                .collect();

            if let Some(pixmap) = tiny_skia::IntSize::from_wh(width, height)
                .and_then(|size| {
                    tiny_skia::Pixmap::from_vec(
                        bytemuck::cast_vec(colors),
                        size,
                    )
                })
            {
                pixels.draw_pixmap(
                    x as i32,
                    y as i32,
                    pixmap.as_ref(),
                    &tiny_skia::PixmapPaint::default(),
                    tiny_skia::Transform::default(),
                    None,
                );
            }
        }

        pixels.fill_path(
            &path,
            &tiny_skia::Paint {
                shader: match background {
                    Background::Color(color) => {
                        tiny_skia::Shader::SolidColor(into_color(*color))
                    }
                    Background::Gradient(Gradient::Linear(linear)) => {
                        let (start, end) =
                            linear.angle.to_distance(&quad.bounds);

                        let stops: Vec<tiny_skia::GradientStop> = linear
                            .stops
                            .into_iter()
                            .flatten()
                            .map(|stop| {
                                tiny_skia::GradientStop::new(
                                    stop.offset,
                                    tiny_skia::Color::from_rgba(
                                        stop.color.b,
                                        stop.color.g,
                                        stop.color.r,
                                        stop.color.a,
                                    )
                                    .expect("Create color"),
                                )
                            })
                            .collect();

                        tiny_skia::LinearGradient::new(
                            tiny_skia::Point {
                                x: start.x,
                                y: start.y,
                            },
                            tiny_skia::Point { x: end.x, y: end.y },
                            if stops.is_empty() {
                                vec![tiny_skia::GradientStop::new(
                                    0.0,
                                    tiny_skia::Color::BLACK,
                                )]
                            } else {
                                stops
                            },
                            tiny_skia::SpreadMode::Pad,
                            tiny_skia::Transform::identity(),
                        )
                        .expect("Create linear gradient")
                    }
                },
                anti_alias: true,
                ..tiny_skia::Paint::default()
            },
            tiny_skia::FillRule::EvenOdd,
            transform,
            clip_mask,
        );

        if border_width > 0.0 {
            // Border path is offset by half the border width
            let border_bounds = Rectangle {
                x: quad.bounds.x + border_width / 2.0,
                y: quad.bounds.y + border_width / 2.0,
                width: quad.bounds.width - border_width,
                height: quad.bounds.height - border_width,
            };

            // Make sure the border radius is correct
            let mut border_radius = <[f32; 4]>::from(quad.border.radius);
            let mut is_simple_border = true;

            for radius in &mut border_radius {
                *radius = if *radius == 0.0 {
                    // Path should handle this fine
                    0.0
                } else if *radius > border_width / 2.0 {
                    *radius - border_width / 2.0
                } else {
                    is_simple_border = false;
                    0.0
                }
                .min(border_bounds.width / 2.0)
                .min(border_bounds.height / 2.0);
            }

            // Stroking a path works well in this case
            if is_simple_border {
                let border_path =
                    rounded_rectangle(border_bounds, border_radius);

                pixels.stroke_path(
                    &border_path,
                    &tiny_skia::Paint {
                        shader: tiny_skia::Shader::SolidColor(into_color(
                            quad.border.color,
                        )),
                        anti_alias: true,
                        ..tiny_skia::Paint::default()
                    },
                    &tiny_skia::Stroke {
                        width: border_width,
                        ..tiny_skia::Stroke::default()
                    },
                    transform,
                    clip_mask,
                );
            } else {
                // Draw corners that have too small border radii as having no border radius,
                // but mask them with the rounded rectangle with the correct border radius.
                let mut temp_pixmap = tiny_skia::Pixmap::new(
                    quad.bounds.width as u32,
                    quad.bounds.height as u32,
                )
                .unwrap();

                let mut quad_mask = tiny_skia::Mask::new(
                    quad.bounds.width as u32,
                    quad.bounds.height as u32,
                )
                .unwrap();

                let zero_bounds = Rectangle {
                    x: 0.0,
                    y: 0.0,
                    width: quad.bounds.width,
                    height: quad.bounds.height,
                };
                let path = rounded_rectangle(zero_bounds, fill_border_radius);

                quad_mask.fill_path(
                    &path,
                    tiny_skia::FillRule::EvenOdd,
                    true,
                    transform,
                );
                let path_bounds = Rectangle {
                    x: border_width / 2.0,
                    y: border_width / 2.0,
                    width: quad.bounds.width - border_width,
                    height: quad.bounds.height - border_width,
                };

                let border_radius_path =
                    rounded_rectangle(path_bounds, border_radius);

                temp_pixmap.stroke_path(
                    &border_radius_path,
                    &tiny_skia::Paint {
                        shader: tiny_skia::Shader::SolidColor(into_color(
                            quad.border.color,
                        )),
                        anti_alias: true,
                        ..tiny_skia::Paint::default()
                    },
                    &tiny_skia::Stroke {
                        width: border_width,
                        ..tiny_skia::Stroke::default()
                    },
                    transform,
                    Some(&quad_mask),
                );

                pixels.draw_pixmap(
                    quad.bounds.x as i32,
                    quad.bounds.y as i32,
                    temp_pixmap.as_ref(),
                    &tiny_skia::PixmapPaint::default(),
                    transform,
                    clip_mask,
                );
            }
        }
    }

    pub fn draw_text(
        &mut self,
        text: &Text,
        transformation: Transformation,
        pixels: &mut tiny_skia::PixmapMut<'_>,
        clip_mask: &mut tiny_skia::Mask,
        clip_bounds: Rectangle,
    ) {
        match text {
            Text::Paragraph {
                paragraph,
                position,
                color,
                clip_bounds: local_clip_bounds,
                transformation: local_transformation,
            } => {
                let transformation = transformation * *local_transformation;
                let Some(clip_bounds) = clip_bounds
                    .intersection(&(*local_clip_bounds * transformation))
                else {
                    return;
                };

                let physical_bounds =
                    Rectangle::new(*position, paragraph.min_bounds)
                        * transformation;

                if !clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = match physical_bounds.is_within(&clip_bounds) {
                    true => None,
                    false => {
                        adjust_clip_mask(clip_mask, clip_bounds);
                        Some(clip_mask as &_)
                    }
                };

                self.text_pipeline.draw_paragraph(
                    paragraph,
                    *position,
                    *color,
                    pixels,
                    clip_mask,
                    transformation,
                );
            }
            Text::Editor {
                editor,
                position,
                color,
                clip_bounds: local_clip_bounds,
                transformation: local_transformation,
            } => {
                let transformation = transformation * *local_transformation;
                let Some(clip_bounds) = clip_bounds
                    .intersection(&(*local_clip_bounds * transformation))
                else {
                    return;
                };

                let physical_bounds =
                    Rectangle::new(*position, editor.bounds) * transformation;

                if !clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = match physical_bounds.is_within(&clip_bounds) {
                    true => None,
                    false => {
                        adjust_clip_mask(clip_mask, clip_bounds);
                        Some(clip_mask as &_)
                    }
                };

                self.text_pipeline.draw_editor(
                    editor,
                    *position,
                    *color,
                    pixels,
                    clip_mask,
                    transformation,
                );
            }
            Text::Cached {
                content,
                bounds,
                color,
                size,
                line_height,
                font,
                align_x,
                align_y,
                shaping,
                clip_bounds: local_clip_bounds,
            } => {
                let physical_bounds = *local_clip_bounds * transformation;

                if !clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = match physical_bounds.is_within(&clip_bounds) {
                    true => None,
                    false => {
                        adjust_clip_mask(clip_mask, clip_bounds);
                        Some(clip_mask as &_)
                    }
                };

                self.text_pipeline.draw_cached(
                    content,
                    *bounds,
                    *color,
                    *size,
                    *line_height,
                    *font,
                    *align_x,
                    *align_y,
                    *shaping,
                    pixels,
                    clip_mask,
                    transformation,
                );
            }
            Text::Raw {
                raw,
                transformation: local_transformation,
            } => {
                let Some(buffer) = raw.buffer.upgrade() else {
                    return;
                };

                let transformation = transformation * *local_transformation;
                let (width, height) = buffer.size();

                let physical_bounds = Rectangle::new(
                    raw.position,
                    Size::new(
                        width.unwrap_or(clip_bounds.width),
                        height.unwrap_or(clip_bounds.height),
                    ),
                ) * transformation;

                if !clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = (!physical_bounds.is_within(&clip_bounds))
                    .then_some(clip_mask as &_);

                self.text_pipeline.draw_raw(
                    &buffer,
                    raw.position,
                    raw.color,
                    pixels,
                    clip_mask,
                    transformation,
                );
            }
        }
    }

    pub fn draw_primitive(
        &mut self,
        primitive: &Primitive,
        transformation: Transformation,
        pixels: &mut tiny_skia::PixmapMut<'_>,
        clip_mask: &mut tiny_skia::Mask,
        clip_bounds: Rectangle,
    ) {
        match primitive {
            Primitive::Fill { path, paint, rule } => {
                let physical_bounds = {
                    let bounds = path.bounds();

                    Rectangle {
                        x: bounds.x(),
                        y: bounds.y(),
                        width: bounds.width(),
                        height: bounds.height(),
                    } * transformation
                };

                if !clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = (!physical_bounds.is_within(&clip_bounds))
                    .then_some(clip_mask as &_);

                pixels.fill_path(
                    path,
                    paint,
                    *rule,
                    into_transform(transformation),
                    clip_mask,
                );
            }
            Primitive::Stroke {
                path,
                paint,
                stroke,
            } => {
                let physical_bounds = {
                    let bounds = path.bounds();

                    Rectangle {
                        x: bounds.x() - stroke.width / 2.0,
                        y: bounds.y() - stroke.width / 2.0,
                        width: bounds.width() + stroke.width,
                        height: bounds.height() + stroke.width,
                    } * transformation
                };

                if !clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = (!physical_bounds.is_within(&clip_bounds))
                    .then_some(clip_mask as &_);

                pixels.stroke_path(
                    path,
                    paint,
                    stroke,
                    into_transform(transformation),
                    clip_mask,
                );
            }
        }
    }

    pub fn draw_image(
        &mut self,
        image: &Image,
        _transformation: Transformation,
        _pixels: &mut tiny_skia::PixmapMut<'_>,
        _clip_mask: &mut tiny_skia::Mask,
        _clip_bounds: Rectangle,
    ) {
        match image {
            #[cfg(feature = "image")]
            Image::Raster { image, bounds, .. } => {
                let physical_bounds = *bounds * _transformation;

                if !_clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = (!physical_bounds.is_within(&_clip_bounds))
                    .then_some(_clip_mask as &_);

                let center = physical_bounds.center();
                let radians = f32::from(image.rotation);

                let transform = into_transform(_transformation).post_rotate_at(
                    radians.to_degrees(),
                    center.x,
                    center.y,
                );

                self.raster_pipeline.draw(
                    &image.handle,
                    image.filter_method,
                    *bounds,
                    image.opacity,
                    _pixels,
                    transform,
                    clip_mask,
                );
            }
            #[cfg(feature = "svg")]
            Image::Vector { svg, bounds, .. } => {
                let physical_bounds = *bounds * _transformation;

                if !_clip_bounds.intersects(&physical_bounds) {
                    return;
                }

                let clip_mask = (!physical_bounds.is_within(&_clip_bounds))
                    .then_some(_clip_mask as &_);

                let center = physical_bounds.center();
                let radians = f32::from(svg.rotation);

                let transform = into_transform(_transformation).post_rotate_at(
                    radians.to_degrees(),
                    center.x,
                    center.y,
                );

                self.vector_pipeline.draw(
                    &svg.handle,
                    svg.color,
                    *bounds,
                    svg.opacity,
                    _pixels,
                    transform,
                    clip_mask,
                );
            }
            #[cfg(not(feature = "image"))]
            Image::Raster { .. } => {
                log::warn!(
                    "Unsupported primitive in `iced_tiny_skia`: {image:?}",
                );
            }
            #[cfg(not(feature = "svg"))]
            Image::Vector { .. } => {
                log::warn!(
                    "Unsupported primitive in `iced_tiny_skia`: {image:?}",
                );
            }
        }
    }

    pub fn trim(&mut self) {
        self.text_pipeline.trim_cache();

        #[cfg(feature = "image")]
        self.raster_pipeline.trim_cache();

        #[cfg(feature = "svg")]
        self.vector_pipeline.trim_cache();
    }
}

pub fn into_color(color: Color) -> tiny_skia::Color {
    tiny_skia::Color::from_rgba(color.b, color.g, color.r, color.a)
        .expect("Convert color from iced to tiny_skia")
}

fn into_transform(transformation: Transformation) -> tiny_skia::Transform {
    let translation = transformation.translation();

    tiny_skia::Transform {
        sx: transformation.scale_factor(),
        kx: 0.0,
        ky: 0.0,
        sy: transformation.scale_factor(),
        tx: translation.x,
        ty: translation.y,
    }
}

fn rounded_rectangle(
    bounds: Rectangle,
    border_radius: [f32; 4],
) -> tiny_skia::Path {
    let [top_left, top_right, bottom_right, bottom_left] = border_radius;

    if top_left == 0.0
        && top_right == 0.0
        && bottom_right == 0.0
        && bottom_left == 0.0
    {
        return tiny_skia::PathBuilder::from_rect(
            tiny_skia::Rect::from_xywh(
                bounds.x,
                bounds.y,
                bounds.width,
                bounds.height,
            )
            .expect("Build quad rectangle"),
        );
    }

    if top_left == top_right
        && top_left == bottom_right
        && top_left == bottom_left
        && top_left == bounds.width / 2.0
        && top_left == bounds.height / 2.0
    {
        return tiny_skia::PathBuilder::from_circle(
            bounds.x + bounds.width / 2.0,
            bounds.y + bounds.height / 2.0,
            top_left,
        )
        .expect("Build circle path");
    }

    let mut builder = tiny_skia::PathBuilder::new();

    builder.move_to(bounds.x + top_left, bounds.y);
    builder.line_to(bounds.x + bounds.width - top_right, bounds.y);

    if top_right > 0.0 {
        arc_to(
            &mut builder,
            bounds.x + bounds.width - top_right,
            bounds.y,
            bounds.x + bounds.width,
            bounds.y + top_right,
            top_right,
        );
    }

    maybe_line_to(
        &mut builder,
        bounds.x + bounds.width,
        bounds.y + bounds.height - bottom_right,
    );

    if bottom_right > 0.0 {
        arc_to(
            &mut builder,
            bounds.x + bounds.width,
            bounds.y + bounds.height - bottom_right,
            bounds.x + bounds.width - bottom_right,
            bounds.y + bounds.height,
            bottom_right,
        );
    }

    maybe_line_to(
        &mut builder,
        bounds.x + bottom_left,
        bounds.y + bounds.height,
    );

    if bottom_left > 0.0 {
        arc_to(
            &mut builder,
            bounds.x + bottom_left,
            bounds.y + bounds.height,
            bounds.x,
            bounds.y + bounds.height - bottom_left,
            bottom_left,
        );
    }

    maybe_line_to(&mut builder, bounds.x, bounds.y + top_left);

    if top_left > 0.0 {
        arc_to(
            &mut builder,
            bounds.x,
            bounds.y + top_left,
            bounds.x + top_left,
            bounds.y,
            top_left,
        );
    }

    builder.finish().expect("Build rounded rectangle path")
}

fn maybe_line_to(path: &mut tiny_skia::PathBuilder, x: f32, y: f32) {
    if path.last_point() != Some(tiny_skia::Point { x, y }) {
        path.line_to(x, y);
    }
}

fn arc_to(
    path: &mut tiny_skia::PathBuilder,
    x_from: f32,
    y_from: f32,
    x_to: f32,
    y_to: f32,
    radius: f32,
) {
    let svg_arc = kurbo::SvgArc {
        from: kurbo::Point::new(f64::from(x_from), f64::from(y_from)),
        to: kurbo::Point::new(f64::from(x_to), f64::from(y_to)),
        radii: kurbo::Vec2::new(f64::from(radius), f64::from(radius)),
        x_rotation: 0.0,
        large_arc: false,
        sweep: true,
    };

    match kurbo::Arc::from_svg_arc(&svg_arc) {
        Some(arc) => {
            arc.to_cubic_beziers(0.1, |p1, p2, p| {
                path.cubic_to(
                    p1.x as f32,
                    p1.y as f32,
                    p2.x as f32,
                    p2.y as f32,
                    p.x as f32,
                    p.y as f32,
                );
            });
        }
        None => {
            path.line_to(x_to, y_to);
        }
    }
}

fn smoothstep(a: f32, b: f32, x: f32) -> f32 {
    let x = ((x - a) / (b - a)).clamp(0.0, 1.0);

    x * x * (3.0 - 2.0 * x)
}

fn rounded_box_sdf(
    to_center: Vector,
    size: tiny_skia::Size,
    radii: &[f32],
) -> f32 {
    let radius = match (to_center.x > 0.0, to_center.y > 0.0) {
        (true, true) => radii[2],
        (true, false) => radii[1],
        (false, true) => radii[3],
        (false, false) => radii[0],
    };

    let x = (to_center.x.abs() - size.width() + radius).max(0.0);
    let y = (to_center.y.abs() - size.height() + radius).max(0.0);

    (x.powf(2.0) + y.powf(2.0)).sqrt() - radius
}

// Atalaia patch (see PATCHED.md): the clip mask is as large as the window, and iced sets it for
// every layer of every damaged region and for every text or image that sticks out of its bounds
// — each time clearing all of it. At 1920×1080 that was ~30 MB of memset a frame. The mask is only
// ever written here, so it holds exactly the last rectangle set: setting the same rectangle again
// does nothing, and another one clears only the rows and columns the last one covered.
std::thread_local! {
    /// The mask last adjusted (its buffer's address and size) and the rectangle it holds.
    static LAST_CLIP: std::cell::Cell<Option<(usize, u32, u32, [u32; 4])>> =
        const { std::cell::Cell::new(None) };
    /// The pixels that rectangle lets through: `[x0, y0, x1, y1)`.
    static CLIP_PIXELS: std::cell::Cell<[u32; 4]> =
        const { std::cell::Cell::new([0; 4]) };
    /// The scratch buffer of [`within`].
    static SCRATCH: std::cell::RefCell<Vec<u8>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// Draw as the published crate does (see [`draw_unpatched`]).
    pub(crate) static UNPATCHED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn clip_key(bounds: Rectangle) -> [u32; 4] {
    [
        bounds.x.to_bits(),
        bounds.y.to_bits(),
        bounds.width.to_bits(),
        bounds.height.to_bits(),
    ]
}

/// Atalaia patch: `true` makes this thread draw exactly as the published crate does (whole mask
/// cleared every time, images always through the pipeline) — for tests that compare the two, and
/// to rule the patch out when looking at a drawing fault.
pub fn draw_unpatched(on: bool) {
    UNPATCHED.set(on);
}

pub fn adjust_clip_mask(clip_mask: &mut tiny_skia::Mask, bounds: Rectangle) {
    let (width, height) = (clip_mask.width(), clip_mask.height());
    let key = clip_key(bounds);
    let address = clip_mask.data().as_ptr() as usize;
    let last = LAST_CLIP.get().filter(|_| !UNPATCHED.get());

    match last {
        Some((a, w, h, k)) if a == address && w == width && h == height => {
            // A mask made anew at the address of a dropped one (a resize, a screenshot) is all
            // clear: the rectangle it should hold is not there, so it is set again.
            let [x0, y0, x1, y1] = CLIP_PIXELS.get();
            let holds = x0 >= x1
                || y0 >= y1
                || clip_mask.data()[y0 as usize * width as usize + x0 as usize] == u8::MAX;

            if k == key && holds {
                return;
            }

            // Everything the last (non-antialiased) rectangle fill can have touched.
            let [x, y, bw, bh] = k.map(f32::from_bits);
            let x0 = (x.floor().max(0.0) as usize).min(width as usize);
            let x1 = ((x + bw).ceil().max(0.0) as usize).min(width as usize);
            let y0 = (y.floor().max(0.0) as usize).min(height as usize);
            let y1 = ((y + bh).ceil().max(0.0) as usize).min(height as usize);
            let data = clip_mask.data_mut();

            if x0 < x1 {
                for row in y0..y1 {
                    let start = row * width as usize;
                    data[start + x0..start + x1].fill(0);
                }
            }
        }
        _ => clip_mask.clear(),
    }

    // A rectangle that is not one (empty, not finite) leaves the mask clear, as before.
    LAST_CLIP.set(Some((address, width, height, key)));
    CLIP_PIXELS.set([0; 4]);

    let Some(rect) =
        tiny_skia::Rect::from_xywh(bounds.x, bounds.y, bounds.width, bounds.height)
    else {
        return;
    };

    let path = {
        let mut builder = tiny_skia::PathBuilder::new();
        builder.push_rect(rect);

        builder.finish().unwrap()
    };

    clip_mask.fill_path(
        &path,
        tiny_skia::FillRule::EvenOdd,
        false,
        tiny_skia::Transform::default(),
    );

    CLIP_PIXELS.set(covered(clip_mask, bounds));
}

/// The pixels a rectangle filled without anti-aliasing covers in `mask`: a rectangle of full
/// coverage, at most a pixel inside the one its bounds round out to (`[x0, y0, x1, y1)`).
fn covered(mask: &tiny_skia::Mask, bounds: Rectangle) -> [u32; 4] {
    let (width, height) = (mask.width() as usize, mask.height() as usize);
    let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
    let x0 = clamp(bounds.x.floor(), width);
    let x1 = clamp((bounds.x + bounds.width).ceil(), width);
    let y0 = clamp(bounds.y.floor(), height);
    let y1 = clamp((bounds.y + bounds.height).ceil(), height);
    let data = mask.data();
    let row = |y: usize| &data[y * width + x0..y * width + x1];

    if x0 >= x1 {
        return [0; 4];
    }

    let Some(top) = (y0..y1).find(|&y| row(y).iter().any(|&m| m != 0)) else {
        return [0; 4];
    };
    let bottom = (top..y1)
        .rev()
        .find(|&y| row(y).iter().any(|&m| m != 0))
        .unwrap_or(top);
    let line = row(top);
    let left = line.iter().position(|&m| m != 0).unwrap_or(0);
    let right = line.iter().rposition(|&m| m != 0).unwrap_or(left);

    debug_assert!(
        (top..=bottom)
            .all(|y| row(y)[left..=right].iter().all(|&m| m == u8::MAX)),
        "a rectangle fill left a clip mask that is not a full rectangle"
    );

    [
        (x0 + left) as u32,
        top as u32,
        (x0 + right + 1) as u32,
        bottom as u32 + 1,
    ]
}

/// Atalaia patch: the pixels `mask` lets through, when it is the mask this thread last set with
/// [`adjust_clip_mask`] (so it holds one rectangle): `[x0, y0, x1, y1)`.
pub(crate) fn clip_pixels(mask: &tiny_skia::Mask) -> Option<[u32; 4]> {
    if UNPATCHED.get() {
        return None;
    }

    let (address, width, height, _) = LAST_CLIP.get()?;

    (address == mask.data().as_ptr() as usize
        && width == mask.width()
        && height == mask.height())
    .then(|| CLIP_PIXELS.get())
}

/// Whether `area` (`[x0, y0, x1, y1)`) cuts through one of the rounded corners of `quad` (at
/// `bounds` on screen): holds part of the square around it, not all of it.
fn cuts_a_corner(
    quad: &Quad,
    scale: f32,
    bounds: Rectangle,
    area: [u32; 4],
) -> bool {
    let [x0, y0, x1, y1] = area.map(|v| v as f32);
    let radii = <[f32; 4]>::from(quad.border.radius);
    let (left, top) = (bounds.x, bounds.y);
    let (right, bottom) = (bounds.x + bounds.width, bounds.y + bounds.height);

    // Top left, top right, bottom right, bottom left, as `Radius` orders them.
    radii.iter().enumerate().any(|(corner, radius)| {
        let r = radius
            .min(quad.bounds.width / 2.0)
            .min(quad.bounds.height / 2.0)
            * scale;

        if r <= 0.0 {
            return false;
        }

        let r = r + 1.0;
        let (cx0, cx1) = if corner == 0 || corner == 3 {
            (left - 1.0, left + r)
        } else {
            (right - r, right + 1.0)
        };
        let (cy0, cy1) = if corner < 2 {
            (top - 1.0, top + r)
        } else {
            (bottom - r, bottom + 1.0)
        };
        let touches = cx0 < x1 && x0 < cx1 && cy0 < y1 && y0 < cy1;
        let holds = x0 <= cx0 && cx1 <= x1 && y0 <= cy0 && cy1 <= y1;

        touches && !holds
    })
}

/// A whole-pixel coordinate past `v` in the direction of `step` (never below 0).
fn outward(v: f32, step: f32) -> u32 {
    let v = if step < 0.0 { v.floor() } else { v.ceil() } + step;

    v.max(0.0) as u32
}

/// Runs `draw` on a scratch copy of the pixels of `area` (`[x0, y0, x1, y1)`, inside `pixels`)
/// and copies the result back: what `draw` paints outside `area` is cut off by the scratch
/// pixmap's own edges — the clip a rectangular mask gives, at no cost per pixel. `draw` also
/// gets a mask letting all of the scratch through: drawing through it blends exactly as drawing
/// through the window's clip mask does (tiny-skia rounds masked and unmasked edges differently).
pub(crate) fn within(
    pixels: &mut tiny_skia::PixmapMut<'_>,
    area: [u32; 4],
    draw: impl FnOnce(&mut tiny_skia::PixmapMut<'_>, &tiny_skia::Mask),
) {
    let [x0, y0, x1, y1] = area;
    let x1 = x1.min(pixels.width());
    let y1 = y1.min(pixels.height());

    if x0 >= x1 || y0 >= y1 {
        return;
    }

    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let stride = pixels.width() as usize * 4;
    let line = w * 4;

    SCRATCH.with_borrow_mut(|scratch| {
        scratch.resize(line * h, 0);

        let data = pixels.data_mut();

        for (r, chunk) in scratch.chunks_exact_mut(line).enumerate() {
            let at = (y0 as usize + r) * stride + x0 as usize * 4;
            chunk.copy_from_slice(&data[at..at + line]);
        }

        let all = tiny_skia::IntSize::from_wh(w as u32, h as u32).and_then(
            |size| tiny_skia::Mask::from_vec(vec![u8::MAX; w * h], size),
        );

        if let (Some(mut scratch), Some(all)) = (
            tiny_skia::PixmapMut::from_bytes(scratch, w as u32, h as u32),
            all,
        ) {
            draw(&mut scratch, &all);
        }

        for (r, chunk) in scratch.chunks_exact(line).enumerate() {
            let at = (y0 as usize + r) * stride + x0 as usize * 4;
            data[at..at + line].copy_from_slice(chunk);
        }
    });
}
