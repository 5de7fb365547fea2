//! Keyboard shortcuts inside the widget tree.
//!
//! A [`Keys`] wraps the whole screen. Chords with Ctrl/Alt and the function keys are offered to it
//! *before* the focused widget sees them (Ctrl+Enter registers the call even while the cursor is in
//! a text field); plain keys such as Tab, Enter and Escape only when no widget used them. Living in
//! the tree rather than in a subscription means the same shortcuts work in the real window and in
//! `iced_test`'s emulator, which delivers input to the view only.

use iced::advanced::layout::{self, Layout};
use iced::advanced::renderer;
use iced::advanced::widget::{Operation, Tree, Widget, tree};
use iced::advanced::{Clipboard, Shell, overlay};
use iced::keyboard::{self, Key, Modifiers, key::Named};
use iced::{Element, Event, Length, Rectangle, Size, Vector, mouse};

/// The screen a [`Keys`] tree was built for.
struct Screen(u8);

/// When a key reached the shortcut map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the focused widget: chords and function keys.
    Before,
    /// After the widgets, and none of them used the key.
    Unused,
}

/// Maps a key press to a message, or lets it pass.
pub type Map<'a, Message> = Box<dyn Fn(&Key, Modifiers, Phase) -> Option<Message> + 'a>;

pub struct Keys<'a, Message, Theme = iced::Theme, Renderer = iced::Renderer> {
    content: Element<'a, Message, Theme, Renderer>,
    map: Map<'a, Message>,
    /// Which screen this is: when it changes, the widget state below starts afresh instead of
    /// being matched by position against the previous screen's (the dashboard never inherits the
    /// login form's text-field state).
    screen: u8,
}

impl<'a, Message, Theme, Renderer> Keys<'a, Message, Theme, Renderer> {
    pub fn new(
        content: impl Into<Element<'a, Message, Theme, Renderer>>,
        map: impl Fn(&Key, Modifiers, Phase) -> Option<Message> + 'a,
    ) -> Self {
        Self { content: content.into(), map: Box::new(map), screen: 0 }
    }

    pub fn screen(mut self, screen: u8) -> Self {
        self.screen = screen;
        self
    }
}

/// Whether a key press is offered before the focused widget sees it.
pub fn is_chord(key: &Key, modifiers: Modifiers) -> bool {
    modifiers.command()
        || modifiers.alt()
        || matches!(
            key,
            Key::Named(
                Named::F1
                    | Named::F2
                    | Named::F3
                    | Named::F4
                    | Named::F5
                    | Named::F6
                    | Named::F7
                    | Named::F8
                    | Named::F9
                    | Named::F10
                    | Named::F11
                    | Named::F12
            )
        )
}

impl<Message, Theme, Renderer> Widget<Message, Theme, Renderer> for Keys<'_, Message, Theme, Renderer>
where
    Renderer: renderer::Renderer,
{
    fn tag(&self) -> tree::Tag {
        tree::Tag::of::<Screen>()
    }

    fn state(&self) -> tree::State {
        tree::State::new(Screen(self.screen))
    }

    fn children(&self) -> Vec<Tree> {
        vec![Tree::new(&self.content)]
    }

    fn diff(&self, tree: &mut Tree) {
        let shown = tree.state.downcast_mut::<Screen>();
        if shown.0 == self.screen {
            tree.diff_children(std::slice::from_ref(&self.content));
        } else {
            *shown = Screen(self.screen);
            tree.children = vec![Tree::new(&self.content)];
        }
    }

    fn size(&self) -> Size<Length> {
        self.content.as_widget().size()
    }

    fn layout(&mut self, tree: &mut Tree, renderer: &Renderer, limits: &layout::Limits) -> layout::Node {
        self.content.as_widget_mut().layout(&mut tree.children[0], renderer, limits)
    }

    fn operate(
        &mut self,
        tree: &mut Tree,
        layout: Layout<'_>,
        renderer: &Renderer,
        operation: &mut dyn Operation,
    ) {
        self.content.as_widget_mut().operate(&mut tree.children[0], layout, renderer, operation);
    }

    fn update(
        &mut self,
        tree: &mut Tree,
        event: &Event,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        renderer: &Renderer,
        clipboard: &mut dyn Clipboard,
        shell: &mut Shell<'_, Message>,
        viewport: &Rectangle,
    ) {
        let pressed = match event {
            Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. }) => Some((key, *modifiers)),
            _ => None,
        };
        if let Some((key, modifiers)) = pressed
            && is_chord(key, modifiers)
            && let Some(message) = (self.map)(key, modifiers, Phase::Before)
        {
            shell.publish(message);
            shell.capture_event();
            return;
        }
        self.content.as_widget_mut().update(
            &mut tree.children[0],
            event,
            layout,
            cursor,
            renderer,
            clipboard,
            shell,
            viewport,
        );
        if let Some((key, modifiers)) = pressed
            && !shell.is_event_captured()
            && let Some(message) = (self.map)(key, modifiers, Phase::Unused)
        {
            shell.publish(message);
            shell.capture_event();
        }
    }

    fn mouse_interaction(
        &self,
        tree: &Tree,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
        renderer: &Renderer,
    ) -> mouse::Interaction {
        self.content.as_widget().mouse_interaction(&tree.children[0], layout, cursor, viewport, renderer)
    }

    fn draw(
        &self,
        tree: &Tree,
        renderer: &mut Renderer,
        theme: &Theme,
        style: &renderer::Style,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
    ) {
        self.content.as_widget().draw(&tree.children[0], renderer, theme, style, layout, cursor, viewport);
    }

    fn overlay<'b>(
        &'b mut self,
        tree: &'b mut Tree,
        layout: Layout<'b>,
        renderer: &Renderer,
        viewport: &Rectangle,
        translation: Vector,
    ) -> Option<overlay::Element<'b, Message, Theme, Renderer>> {
        self.content.as_widget_mut().overlay(&mut tree.children[0], layout, renderer, viewport, translation)
    }
}

impl<'a, Message: 'a, Theme: 'a, Renderer> From<Keys<'a, Message, Theme, Renderer>>
    for Element<'a, Message, Theme, Renderer>
where
    Renderer: renderer::Renderer + 'a,
{
    fn from(keys: Keys<'a, Message, Theme, Renderer>) -> Self {
        Element::new(keys)
    }
}
